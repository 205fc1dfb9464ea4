"""The review queue through the public API (``edi_posting.list_queue`` and the rest), called
directly as the web application will: each function checks the session user's permission
once and leaves what it showed or did on the audit trail, and a refusal is recorded too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import edi_posting
from edi_posting.db.models import AuditEvent
from tests.test_queue_money import events, item, item_id
from tests.x835 import Practice, clp, remit, svc


def _denied(practice: Practice, charge: str = "100") -> int:
    practice.bill(("PCN1", (("HC:99213", charge),)))
    practice.receive(remit("0", clp("PCN1", "4", charge, "0", "0", "ICN1",
                                    svc("99213", charge, "0", "CO*16*" + charge)), method="NON"))
    return item_id(practice, "denial")


def _audited(practice: Practice, action: str) -> list[tuple[str, str | None, str, str | None]]:
    """(actor, role, outcome, object id) of each audit event of ``action``, oldest first."""
    with practice.engine.connect() as conn:
        return [(e.actor, e.role, e.outcome, e.object_id) for e in conn.execute(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.sequence))]


def test_a_specialist_lists_shows_and_works_an_item_and_each_read_is_audited(
        practice: Practice, as_user: Any) -> None:
    ident = _denied(practice)
    sam = as_user("sam")
    listed = edi_posting.list_queue(sam, kind="denial")
    assert [(r["id"], r["kind"], r["amount"]) for r in listed] == [(ident, "denial", "0.00")]
    edi_posting.assign_item(sam, ident, "sam")
    edi_posting.note_item(sam, ident, "called the payer, ref 4471")
    detail = edi_posting.show_queue_item(sam, ident)
    assert detail["status"] == "in_progress" and detail["assignee"] == "sam"
    assert {(c["list"], c["code"]) for c in detail["codes"]} >= {("CARC", "16")}
    assert [e["action"] for e in detail["events"]] == ["opened", "assign", "note"]
    assert _audited(practice, "queue.list") == [("sam", "specialist", "ok", None)]
    assert _audited(practice, "queue.show") == [("sam", "specialist", "ok", str(ident))]
    assert _audited(practice, "queue.note") == [("sam", "specialist", "ok", str(ident))]
    stats = edi_posting.queue_stats(sam)
    assert [(s["kind"], s["status"], s["count"]) for s in stats] == [("denial", "in_progress", 1)]


def test_a_poster_cannot_work_the_queue_and_the_refusal_is_on_the_audit_trail(
        practice: Practice, as_user: Any) -> None:
    ident = _denied(practice)
    with pytest.raises(edi_posting.PermissionDeniedError, match=r"permission denied \(resolve\)"):
        edi_posting.note_item(as_user("pat"), ident, "not mine to write")
    with pytest.raises(edi_posting.PermissionDeniedError, match=r"\(resolve\)"):
        edi_posting.write_off(as_user("pat"), ident, "CO-16")
    assert _audited(practice, "queue.note") == [("pat", "poster", "refused", str(ident))]
    assert _audited(practice, "queue.write-off") == [("pat", "poster", "refused", str(ident))]
    assert [a for a, _ in events(practice, ident)] == ["opened"]
    assert practice.balances("PCN1") == ("100.00", "0.00")


def test_an_action_that_does_not_fit_the_item_raises_and_posts_nothing(
        practice: Practice, as_user: Any) -> None:
    ident = _denied(practice)
    sam = as_user("sam")
    with pytest.raises(edi_posting.ActionError, match="dismissing needs a reason"):
        edi_posting.dismiss_item(sam, ident, "  ")
    with pytest.raises(edi_posting.ActionError):
        edi_posting.apply_cash(sam, 999, "PCN1")
    assert item(practice, ident) == ("open", 0)


def test_a_write_off_past_the_limit_waits_and_only_another_approver_posts_it(
        practice: Practice, as_user: Any) -> None:
    ident = _denied(practice, "300")
    ada, sam, leo = as_user("ada"), as_user("sam"), as_user("leo")
    assert edi_posting.write_off_limit(sam) == 10_000
    with pytest.raises(edi_posting.PermissionDeniedError, match=r"\(administer\)"):
        edi_posting.set_write_off_limit(sam, 50_000)
    assert edi_posting.set_write_off_limit(ada, 20_000) == 20_000
    waiting = edi_posting.write_off(leo, ident, "CO-16")
    assert waiting.message.endswith("waits for approval 1 (write-offs on claim PCN1 would "
                                    "reach 300.00, above the write-off limit 200.00)")
    with pytest.raises(edi_posting.PermissionDeniedError, match="requested by leo"):
        edi_posting.approve(leo, 1)
    assert _audited(practice, "queue.approve") == [("leo", "lead", "refused", "1")]
    with pytest.raises(edi_posting.PermissionDeniedError, match=r"\(approve\)"):
        edi_posting.approve(sam, 1)
    posted = edi_posting.approve(ada, 1, note="checked")
    assert posted.entry_ids and practice.balances("PCN1") == ("0.00", "0.00")
    assert [(a["id"], a["status"], a["decided_by"])
            for a in edi_posting.list_approvals(sam, None)] == [(1, "approved", "ada")]


def test_the_evidence_packet_needs_export_and_its_export_is_audited(
        practice: Practice, as_user: Any, tmp_path: Path) -> None:
    ident = _denied(practice)
    with pytest.raises(edi_posting.PermissionDeniedError, match=r"\(export\)"):
        edi_posting.write_evidence_packet(as_user("pat"), ident, tmp_path / "p.zip")
    assert not (tmp_path / "p.zip").exists()
    digest = edi_posting.write_evidence_packet(as_user("aud"), ident, tmp_path / "p.zip")
    assert len(digest) == 64 and (tmp_path / "p.zip").is_file()
    assert _audited(practice, "queue.packet") == [("pat", "poster", "refused", str(ident)),
                                                  ("aud", "auditor", "ok", str(ident))]


def test_rematch_reports_each_item_and_counts_what_it_applied(
        practice: Practice, as_user: Any) -> None:
    practice.receive(remit("64", clp("PCN1", "1", "100", "64", "16", "ICN1",
                                     svc("99213", "100", "64", "CO*45*20", "PR*2*16"))))
    practice.bill_unanswered(("PCN1", (("HC:99213", "100"),)))
    ident = item_id(practice, "unmatched_payment")
    report = edi_posting.rematch_items(as_user("sam"), [ident])
    assert [o.item_id for o in report.outcomes] == [ident]
    assert (report.applied, report.refused) == (1, 0)
    assert _audited(practice, "queue.rematch")[-1][:3] == ("sam", "specialist", "ok")
    assert item(practice, ident) == ("resolved", 0)
