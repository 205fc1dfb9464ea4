"""A claim's 837 imported after its 835: the waiting payment is matched again by the import,
and posted when the match is safe.  Both databases; X12 written inside the tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from edi_posting.audit.events import audit_log
from edi_posting.audit.writes import write_transaction
from edi_posting.cli import main
from edi_posting.db.models import (
    ClaimPayment,
    JournalEntry,
    ReviewItem,
    ReviewItemEvent,
    SubmittedClaim,
)
from edi_posting.queue.credits import (
    credit_mismatches,
    ledger_unapplied_cents,
    queue_unapplied_cents,
)
from tests.x835 import Practice, clp, remit, svc

OFFICE_VISIT = (("HC:99213", "100"),)
PAID_WITH_SHARES = clp("PCN1", "1", "100", "64", "16", "ICN1",
                       svc("99213", "100", "64", "CO*45*20", "PR*2*16", line_control="PCN1-1"))


@pytest.fixture
def practice(database_url: str, tmp_path: Path) -> Iterator[Practice]:
    p = Practice(database_url, tmp_path)
    yield p
    with p.engine.connect() as conn:
        assert queue_unapplied_cents(conn) == ledger_unapplied_cents(conn)
        assert credit_mismatches(conn) == []
    p.check()
    p.close()


def _item(practice: Practice, kind: str = "unmatched_payment") -> Any:
    with practice.engine.connect() as conn:
        return conn.execute(select(ReviewItem).where(ReviewItem.kind == kind)
                            .order_by(ReviewItem.id)).first()


def _events(practice: Practice, item_id: int) -> list[tuple[str, str, str | None]]:
    with practice.engine.connect() as conn:
        return [(r.actor, r.action, r.to_status) for r in conn.execute(
            select(ReviewItemEvent).where(ReviewItemEvent.review_item_id == item_id)
            .order_by(ReviewItemEvent.id))]


def test_claim_billed_after_its_payment_posts_the_waiting_payment_automatically(
    practice: Practice,
) -> None:
    practice.receive(remit("64", PAID_WITH_SHARES))
    waiting = _item(practice)
    assert (waiting.status, waiting.amount_cents) == ("open", 6400)
    billed = practice.bill(("PCN1", OFFICE_VISIT))
    assert (billed.status, billed.posted) == ("imported", 1)
    assert practice.balances("PCN1") == ("0.00", "16.00")  # as import would have posted it
    item = _item(practice)
    assert (item.status, item.amount_cents) == ("resolved", 0)
    assert _events(practice, item.id) == [("tester", "opened", "open"),
                                          ("system", "rematch", "resolved")]
    [note] = [p for p in billed.problems if p.code == "LATE_CLAIM_MATCHED"]
    assert note.severity.value == "WARNING"
    assert note.message == (f"the payment waiting in review item {item.id} (CLP01 PCN1, "
                            "64.00) matched claim PCN1 and was posted automatically")
    with practice.engine.connect() as conn:
        entry = conn.execute(select(JournalEntry).where(
            JournalEntry.review_item_id == item.id)).one()
        assert (entry.kind, entry.actor) == ("rematch", "system")
        state = conn.execute(select(ClaimPayment.posting_state, ClaimPayment.submitted_claim_id)
                             ).one()
        claim = conn.execute(select(SubmittedClaim.id)).scalar_one()
        assert tuple(state) == ("applied", claim)
        [audit] = [e for e in audit_log(conn, action="import.rematch")]
    assert (audit["actor"], audit["object_id"], audit["outcome"]) == ("system", str(item.id), "ok")
    summary = audit["summary"]
    assert summary["automatic"] is True
    assert summary["triggered_by"]["file"] == Path(billed.path).name
    assert summary["triggered_by"]["sha256"] == billed.sha256
    assert summary["triggered_by"]["actor"] == "tester"
    assert summary["status"] == "resolved"


def test_late_claims_that_do_not_settle_the_match_refresh_its_candidates(
    practice: Practice,
) -> None:
    practice.receive(remit("80", clp("PCNX", "1", "100", "80", "0", "ICN1",
                                     svc("99213", "100", "80", "CO*45*20"))))
    waiting = _item(practice)
    assert waiting.evidence["candidates"] == []
    practice.bill(("PCN1", OFFICE_VISIT), ("PCN2", OFFICE_VISIT))  # same patient, date, charge
    item = _item(practice)
    assert (item.status, item.amount_cents) == ("open", 8000)
    assert len(item.evidence["candidates"]) == 2
    assert _events(practice, item.id) == [("tester", "opened", "open"),
                                          ("system", "rematch", "open")]
    assert practice.balances("PCN1") == ("100.00", "0.00")


def test_payments_the_new_claims_cannot_answer_are_left_alone(practice: Practice) -> None:
    practice.receive(remit("80", "CLP*PCNZ*1*100*80*0*12*ICNZ*11*1~\n"
                                 "NM1*QC*1*ZQOTHER*NAME****MI*ZQX999~\n"
                           + svc("99213", "100", "80", "CO*45*20")))
    item = _item(practice)
    billed = practice.bill(("PCN1", OFFICE_VISIT))
    assert [p.code for p in billed.problems] == []
    assert _events(practice, item.id) == [("tester", "opened", "open")]


def test_the_waiting_payment_posts_when_the_importer_may_not_resolve_items(
    practice: Practice, database_url: str,
) -> None:
    from edi_posting.access.permissions import add_user

    with write_transaction(practice.engine) as conn:
        add_user(conn, "alice", "admin", actor="alice")
        add_user(conn, "tester", "poster", actor="alice")
    practice.receive(remit("64", PAID_WITH_SHARES))
    practice.bill(("PCN1", OFFICE_VISIT))
    assert _item(practice).status == "resolved"
    assert practice.balances("PCN1") == ("0.00", "16.00")


def test_a_failure_while_matching_again_leaves_neither_the_claims_nor_the_posting(
    practice: Practice, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from edi_posting.importing import late_claims

    practice.receive(remit("64", PAID_WITH_SHARES))

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(late_claims, "record_event", crash)
    with pytest.raises(RuntimeError, match="disk full"):
        practice.bill(("PCN1", OFFICE_VISIT))
    with practice.engine.connect() as conn:
        assert conn.execute(select(SubmittedClaim.id)).all() == []
        assert conn.execute(select(JournalEntry.id).where(
            JournalEntry.kind == "rematch")).all() == []
    assert _item(practice).status == "open"


def test_import_dry_run_of_a_late_claim_posts_nothing(tmp_path: Path) -> None:
    from edi_posting.db.migration import connect

    connect(f"sqlite:///{tmp_path / 'edi.db'}").dispose()  # created and migrated
    practice = Practice(f"sqlite:///{tmp_path / 'edi.db'}", tmp_path)
    try:
        practice.receive(remit("64", PAID_WITH_SHARES))
        from tests.x12build import build_x12, write_x12
        from tests.x837 import HEADER, claim, subscriber

        text = build_x12(HEADER.split("~", 1)[1] + subscriber(2) + claim("PCN1", *OFFICE_VISIT),
                         functional_id="HC", transaction_id="837", version="005010X222A1",
                         interchange_control="000000777")
        path = write_x12(tmp_path, text, "late.837")
        env = {"EDI_POSTING_DATABASE_URL": f"sqlite:///{tmp_path / 'edi.db'}"}
        dry = CliRunner().invoke(main, ["import", "--dry-run", str(path)], env=env)
        assert dry.exit_code == 0, dry.output
        assert "WARNING LATE_CLAIM_MATCHED" in dry.stderr
        assert _item(practice).status == "open"
        real = CliRunner().invoke(main, ["import", str(path)], env=env)
        assert real.exit_code == 0, real.output
        assert "late.837  837P  imported  1                 1       1       0" in real.stdout
        assert ("late.837: segment 19 CLM01: WARNING LATE_CLAIM_MATCHED: the payment waiting "
                f"in review item {_item(practice).id} (CLP01 PCN1, 64.00)") in real.stderr
        assert _item(practice).status == "resolved"
    finally:
        practice.close()
