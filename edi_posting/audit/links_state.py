"""Users, posting policies, approvals and settings (the queue's limits) are rows the
application updates in place, so
their audit events are replayed: the state the last event of each row left must be the row
as stored.  A row no event created (a user inserted as admin), a change no event recorded
(a role raised by UPDATE) and an event whose row is gone are each reported by row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from edi_posting.db.approvals import Approval
from edi_posting.db.base import table_of
from edi_posting.db.models import PostingPolicy, Setting, User
from edi_posting.money import format_cents
from edi_posting.records.states import AuditOutcome

__all__ = ["AuditRow", "approval_failure", "policy_failure", "policy_snapshot",
           "setting_failure", "user_failure"]

_USER, _POLICY, _APPROVAL = table_of(User), table_of(PostingPolicy), table_of(Approval)
_SETTING = table_of(Setting)
_POLICY_FIELDS = ("action", "never_auto_post", "zero_pay_contractual", "note")


@dataclass(frozen=True, slots=True)
class AuditRow:
    """The columns of one audit event that the replay reads."""

    sequence: int
    action: str
    object_type: str | None
    object_id: str | None
    outcome: str  # an AuditOutcome value as stored
    summary: dict[str, Any]


# --- users -------------------------------------------------------------------------------


def _user_states(events: Sequence[AuditRow]) -> dict[str, tuple[str, bool, int]]:
    states: dict[str, tuple[str, bool, int]] = {}
    for ev in events:
        if ev.object_type != "user" or ev.outcome != AuditOutcome.OK or ev.object_id is None:
            continue
        if ev.action == "users.add":
            states[ev.object_id] = (str(ev.summary.get("role")), True, ev.sequence)
        elif ev.object_id in states:
            role, active, _ = states[ev.object_id]
            after = ev.summary.get("after") or {}
            states[ev.object_id] = (str(after.get("role", role)),
                                    bool(after.get("is_active", active)), ev.sequence)
    return states


def _said(role: str, active: bool) -> str:
    return f"{role}, {'active' if active else 'disabled'}"


def user_failure(conn: Connection, events: Sequence[AuditRow]) -> str | None:
    states = _user_states(events)
    rows = conn.execute(select(_USER.c.id, _USER.c.name, _USER.c.role, _USER.c.is_active)
                        .order_by(_USER.c.id)).all()
    for row in rows:
        state = states.get(row.name)
        if state is None:
            return f"user {row.id} ({row.name}) has no audit event"
        if (row.role, bool(row.is_active)) != state[:2]:
            return (f"user {row.id} ({row.name}) is {_said(row.role, bool(row.is_active))}; "
                    f"its last audit event {state[2]} recorded {_said(*state[:2])}")
    names = {row.name for row in rows}
    for name, (_, _, sequence) in sorted(states.items(), key=lambda kv: kv[1][2]):
        if name not in names:
            return f"audit event {sequence} records user {name}, which is missing"
    return None


# --- posting policies --------------------------------------------------------------------

_Key = tuple[int | None, str, str]


def policy_snapshot(conn: Connection) -> list[dict[str, Any]]:
    """Every stored policy, for the baseline event (events before it may lack payer ids)."""
    return [dict(row._mapping) for row in conn.execute(
        select(_POLICY.c.payer_id, _POLICY.c.group_code.label("group"),
               _POLICY.c.reason_code.label("reason"), *(_POLICY.c[n] for n in _POLICY_FIELDS))
        .order_by(_POLICY.c.id))]


def _content(values: dict[str, Any]) -> tuple[Any, ...]:
    return (values.get("action"), bool(values.get("never_auto_post")),
            bool(values.get("zero_pay_contractual")), values.get("note"))


def _policy_key(ev: AuditRow) -> _Key | None:
    summary = ev.summary
    if "group" in summary:
        group, reason = str(summary["group"]), str(summary["reason"])
    else:  # a removal recorded before the key was: its object id, as typed
        group, _, reason = (ev.object_id or "").partition("-")
    if "payer_id" not in summary and summary.get("payer") is not None:
        return None  # recorded before payer ids: the baseline's snapshot stands for it
    payer_id = summary.get("payer_id")
    return (None if payer_id is None else int(payer_id), group.strip().upper(),
            reason.strip().upper())


def _policy_states(events: Sequence[AuditRow]
                   ) -> tuple[dict[_Key, tuple[tuple[Any, ...] | None, int]], set[tuple[str, str]]]:
    """The state each policy key's last event left, and the (group, reason) pairs an event
    before payer ids changed for some payer (until a baseline snapshot settles them)."""
    states: dict[_Key, tuple[tuple[Any, ...] | None, int]] = {}
    unsure: set[tuple[str, str]] = set()
    for ev in events:
        if ev.action == "audit.baseline" and "policies" in ev.summary:
            states = {(p["payer_id"], p["group"], p["reason"]): (_content(p), ev.sequence)
                      for p in ev.summary["policies"]}
            unsure = set()
        elif ev.action in ("policy.set", "policy.remove") and ev.outcome == AuditOutcome.OK:
            key = _policy_key(ev)
            if key is None:
                unsure.add((str(ev.summary.get("group", "")).upper(),
                            str(ev.summary.get("reason", "")).upper()))
            else:
                content = _content(ev.summary) if ev.action == "policy.set" else None
                states[key] = (content, ev.sequence)
    return states, unsure


def _policy_name(key: _Key) -> str:
    payer = "every payer" if key[0] is None else f"payer {key[0]}"
    return f"{key[1]}-{key[2]}, {payer}"


def policy_failure(conn: Connection, events: Sequence[AuditRow]) -> str | None:
    states, unsure = _policy_states(events)
    seen: set[_Key] = set()
    for row in conn.execute(select(_POLICY).order_by(_POLICY.c.id)):
        key: _Key = (row.payer_id, row.group_code, row.reason_code)
        seen.add(key)
        if key not in states and key[0] is not None and key[1:] in unsure:
            continue  # set for a payer before events kept its id: no baseline yet
        content, sequence = states.get(key, (None, 0))
        if content is None:
            return f"posting policy {row.id} ({_policy_name(key)}) has no audit event"
        if _content(dict(row._mapping)) != content:
            return (f"posting policy {row.id} ({_policy_name(key)}) differs from what audit "
                    f"event {sequence} recorded")
    for key, (content, sequence) in states.items():
        if content is not None and key not in seen:
            return (f"audit event {sequence} records posting policy {_policy_name(key)}, "
                    "which is missing")
    return None


# --- approvals ---------------------------------------------------------------------------


def _approval_states(events: Sequence[AuditRow]) -> dict[int, tuple[str, Any, int]]:
    states: dict[int, tuple[str, Any, int]] = {}
    for ev in events:
        if ev.outcome != AuditOutcome.OK:
            continue
        if ev.action == "queue.approval_requested":
            ident = (ev.summary.get("details") or {}).get("approval_id")
            if ident is not None:
                states[int(ident)] = ("pending", None, ev.sequence)
        elif ev.object_type == "approval" and ev.object_id and ev.object_id.isdigit():
            states[int(ev.object_id)] = (str(ev.summary.get("status")),
                                         ev.summary.get("entry_id"), ev.sequence)
    return states


def approval_failure(conn: Connection, events: Sequence[AuditRow]) -> str | None:
    states = _approval_states(events)
    seen: set[int] = set()
    for row in conn.execute(select(_APPROVAL.c.id, _APPROVAL.c.status,
                                   _APPROVAL.c.journal_entry_id).order_by(_APPROVAL.c.id)):
        seen.add(row.id)
        state = states.get(row.id)
        if state is None:
            return f"approval {row.id} has no audit event"
        if (row.status, row.journal_entry_id) != state[:2]:
            return (f"approval {row.id} is {row.status}; its last audit event {state[2]} "
                    f"recorded {state[0]}")
    for ident, (_, _, sequence) in sorted(states.items()):
        if ident not in seen:
            return f"audit event {sequence} records approval {ident}, which is missing"
    return None


# --- settings ----------------------------------------------------------------------------


def _shown(value: str) -> str:
    """A stored setting as its event records it: the limits are cents, shown as money."""
    return format_cents(int(value)) if value.lstrip("-").isdigit() else value


def setting_failure(conn: Connection, events: Sequence[AuditRow]) -> str | None:
    """Each setting is what its last event (``queue.write-off-limit``...) set it to: a limit
    raised behind the application would let large write-offs through unapproved."""
    states: dict[str, tuple[str, int]] = {}
    for ev in events:
        if ev.object_type == "setting" and ev.outcome == AuditOutcome.OK and ev.object_id is not None:
            states[ev.object_id] = (str(ev.summary.get("after")), ev.sequence)
    rows = conn.execute(select(_SETTING.c.key, _SETTING.c.value).order_by(_SETTING.c.key))
    for row in rows:
        state = states.get(row.key)
        if state is None:
            return f"setting {row.key} has no audit event"
        if _shown(row.value) != state[0]:
            return (f"setting {row.key} is {_shown(row.value)}; its last audit event "
                    f"{state[1]} recorded {state[0]}")
    return None
