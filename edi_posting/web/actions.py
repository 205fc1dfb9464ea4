"""The case's actions as forms, and a form's fields back into one public API call.

Which actions fit an item is decided once, by the case view (``case["actions"]``: each
the exact ``edi-posting queue ...`` or ``edi-posting deposits ...`` command); this module
only turns such a command into a form (its values filled in, the words in capitals left
for the person to type) and a submitted form into the API function the command would
call.  Money actions (and every deposit action) run first as a dry run (the API's
``dry_run=True``), so the preview shows the entries they would post.
"""

from __future__ import annotations

import datetime as dt
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import edi_posting
from edi_posting.money import parse_amount, to_cents
from edi_posting.web.logins import PendingAction

__all__ = ["DEPOSIT_VERBS", "VERBS", "ActionForm", "FormField", "action_forms",
           "pending_action", "run"]

Session = edi_posting.Session


@dataclass(frozen=True, slots=True)
class FormField:
    name: str  # the command's option, without its dashes ("claim", "reason")
    value: str  # filled in, or empty for the person to type
    hint: str  # the command's placeholder (WHY, PCN) or its value
    flag: bool = False  # a switch (--confirm) that the command sets


@dataclass(frozen=True, slots=True)
class ActionForm:
    verb: str
    does: str
    command: str
    fields: tuple[FormField, ...]
    money: bool


def _cents(fields: dict[str, Any], name: str = "amount") -> int | None:
    value = fields.get(name)
    return to_cents(parse_amount(str(value))) if value else None


def _opt(fields: dict[str, Any], name: str) -> str | None:
    return str(fields[name]) if fields.get(name) else None


def _need(fields: dict[str, Any], name: str) -> str:
    value = _opt(fields, name)
    if value is None:
        raise ValueError(f"{name}: required")
    return value


Call = Callable[[Session, int, dict[str, Any], bool], Any]

#: verb -> (whether it moves money and so has a dry run, the API call)
VERBS: dict[str, tuple[bool, Call]] = {
    "apply": (True, lambda s, i, f, dry: edi_posting.apply_cash(
        s, i, _need(f, "claim"), amount_cents=_cents(f), confirm=bool(f.get("confirm")),
        reason=_opt(f, "reason"), note=_opt(f, "note"), dry_run=dry)),
    "link-correction": (True, lambda s, i, f, dry: edi_posting.link_correction(
        s, i, int(_need(f, "claim-payment")), dry_run=dry)),
    "post-as-sent": (True, lambda s, i, f, dry: edi_posting.post_claim_as_sent(
        s, i, _need(f, "reason"), claim=_opt(f, "claim"), dry_run=dry)),
    "transfer": (True, lambda s, i, f, dry: edi_posting.transfer_balance(
        s, i, to=_need(f, "to"), payer=_opt(f, "payer"), amount_cents=_cents(f),
        reason=_opt(f, "reason"), note=_opt(f, "note"), dry_run=dry)),
    "write-off": (True, lambda s, i, f, dry: edi_posting.write_off(
        s, i, _need(f, "reason"), side=_opt(f, "side") or "insurance",
        amount_cents=_cents(f), note=_opt(f, "note"), dry_run=dry)),
    "refund": (True, lambda s, i, f, dry: edi_posting.refund_credit(
        s, i, _need(f, "reason"), payee=_opt(f, "payee"), amount_cents=_cents(f),
        dry_run=dry)),
    "reapply": (True, lambda s, i, f, dry: edi_posting.reapply_credit(
        s, i, _need(f, "claim"), amount_cents=_cents(f), dry_run=dry)),
    "place-plb": (True, lambda s, i, f, dry: edi_posting.place_plb(
        s, i, claim=_opt(f, "claim"), note=_opt(f, "note"), reason=_opt(f, "reason"),
        dry_run=dry)),
    "return": (True, lambda s, i, f, dry: edi_posting.return_payment(
        s, i, _need(f, "reason"), to=_opt(f, "to") or "payer", dry_run=dry)),
    "undo": (True, lambda s, i, f, dry: edi_posting.undo_action(
        s, i, reason=_opt(f, "reason"), dry_run=dry)),
    "rematch": (True, lambda s, i, f, dry: edi_posting.rematch_items(s, [i], dry_run=dry)),
    "note": (False, lambda s, i, f, dry: edi_posting.note_item(s, i, _need(f, "text"))),
    "escalate": (False, lambda s, i, f, dry: edi_posting.escalate_item(
        s, i, _need(f, "to"), _need(f, "note"))),
    "dismiss": (False, lambda s, i, f, dry: edi_posting.dismiss_item(
        s, i, _need(f, "reason"))),
    "assign": (False, lambda s, i, f, dry: edi_posting.assign_item(s, i, _need(f, "to"))),
}


def _int(fields: dict[str, Any], name: str) -> int | None:
    value = _opt(fields, name)
    if value is None:
        return None
    if not value.isdigit():
        raise ValueError(f"{name}: {value!r} is not an id")
    return int(value)


def _day(fields: dict[str, Any], name: str) -> dt.date:
    value = _need(fields, name)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from None


#: the deposit items' actions (``edi-posting deposits VERB ...``): each has a dry run
DEPOSIT_VERBS: dict[str, tuple[bool, Call]] = {
    "match": (True, lambda s, i, f, dry: edi_posting.match_deposit(
        s, i, remittance_id=_int(f, "remit"), deposit_id=_int(f, "deposit"),
        amount_cents=_cents(f), dry_run=dry)),
    "request-era": (True, lambda s, i, f, dry: edi_posting.request_era(
        s, i, _need(f, "note"), _day(f, "follow-up"), dry_run=dry)),
    "receive": (True, lambda s, i, f, dry: edi_posting.receive_deposit(
        s, i, note=_opt(f, "note"), dry_run=dry)),
    "accept-variance": (True, lambda s, i, f, dry: edi_posting.accept_variance(
        s, i, _need(f, "reason"), dry_run=dry)),
    "chargeback-won": (True, lambda s, i, f, dry: edi_posting.chargeback_won(
        s, i, note=_opt(f, "note"), dry_run=dry)),
}
VERBS.update(DEPOSIT_VERBS)  # one table for the case's preview and post


def _runs(group: str, verb: str) -> bool:
    """Whether ``edi-posting GROUP VERB`` is a command this screen has a form for."""
    if group == "deposits":
        return verb in DEPOSIT_VERBS
    return group == "queue" and verb in VERBS and verb not in DEPOSIT_VERBS


def action_forms(actions: list[dict[str, str]]) -> list[ActionForm]:
    """A form per command the case view lists (commands this screen cannot run are left
    out: their text is still shown on the case)."""
    forms = []
    for action in actions:
        words = shlex.split(action["command"])
        if len(words) < 4 or not _runs(words[1], words[2]):
            continue
        forms.append(ActionForm(words[2], action["does"], action["command"],
                                _fields(words[2], words[4:]), VERBS[words[2]][0]))
    return forms


def _fields(verb: str, words: list[str]) -> tuple[FormField, ...]:
    fields: list[FormField] = []
    rest = list(words)
    while rest:
        word = rest.pop(0)
        if not word.startswith("--"):  # `queue note ID TEXT`: the note's text
            fields.append(FormField("text", "", word))
        elif word == "--dry-run":
            continue
        elif not rest or rest[0].startswith("--"):
            fields.append(FormField(word[2:], "1", word, flag=True))
        else:
            value = rest.pop(0)
            typed = value.isupper() and value.isalpha()  # WHY, PCN, CODE: the person's
            fields.append(FormField(word[2:], "" if typed else value, value))
    return tuple(fields)


def pending_action(item_id: int, verb: str, form: dict[str, str]) -> PendingAction:
    """The action a submitted form asks for (ValueError for a verb this screen lacks)."""
    if verb not in VERBS:
        raise ValueError(f"no action {verb!r}")
    fields = tuple(sorted((k.removeprefix("f_"), v.strip()) for k, v in form.items()
                          if k.startswith("f_") and v.strip()))
    return PendingAction(item_id, verb, fields)


def run(session: Session, action: PendingAction, *, dry_run: bool) -> Any:
    """Call the action's API function (a dry run rolls back; only money actions have one)."""
    money, call = VERBS[action.verb]
    return call(session, action.item_id, dict(action.fields), dry_run and money)
