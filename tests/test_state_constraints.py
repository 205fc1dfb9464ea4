"""A state or kind column holds only the words its enum knows: the database refuses any
other value (CHECK constraints of migration 0015), whoever writes it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import CheckConstraint, Table, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from edi_posting.audit.events import record_event
from edi_posting.audit.writes import write_transaction
from edi_posting.db.engine import make_engine
from edi_posting.db.migration import current_revision, upgrade
from edi_posting.db.models import (
    AuditEvent,
    ClaimPayment,
    ReceivedFile,
    Remittance,
    ReviewItem,
    ReviewItemEvent,
    SubmittedClaim,
    TransactionSet,
)
from edi_posting.db.workflow import ItemAction, ReviewStatus
from edi_posting.queue.items import ReviewDraft, open_review_items
from edi_posting.records.states import (
    AuditOutcome,
    FileStatus,
    PostingState,
    SetStatus,
    SubmissionStatus,
    check_in,
)
from tests.x835 import Practice, clp, remit, svc


@pytest.fixture
def practice(database_url: str, tmp_path: Path) -> Iterator[Practice]:
    p = Practice(database_url, tmp_path)
    yield p
    p.close()


def _paid_claim(practice: Practice) -> None:
    practice.bill(("PCN1", (("HC:99213", "100"),)))
    practice.receive(remit("80", clp("PCN1", "1", "100", "80", "0", "ICN1",
                                      svc("99213", "100", "80", "CO*45*20"))))


def _checks(table: Table) -> set[str]:
    return {str(c.sqltext) for c in table.constraints if isinstance(c, CheckConstraint)}


def test_the_models_declare_each_state_check_from_its_enum() -> None:
    assert check_in("posting_state", PostingState) in _checks(ClaimPayment.__table__)
    assert check_in("outcome", AuditOutcome) in _checks(AuditEvent.__table__)
    assert check_in("status", SubmissionStatus) in _checks(SubmittedClaim.__table__)
    assert check_in("status", SetStatus) in _checks(TransactionSet.__table__)
    assert check_in("status", SetStatus) in _checks(Remittance.__table__)
    assert check_in("status", FileStatus) in _checks(ReceivedFile.__table__)
    for column in ("from_status", "to_status"):
        assert f"{column} IS NULL OR {check_in(column, ReviewStatus)}" in _checks(
            ReviewItemEvent.__table__)


def test_a_claim_payment_state_outside_posting_state_is_refused(practice: Practice) -> None:
    _paid_claim(practice)
    with pytest.raises(IntegrityError), write_transaction(practice.engine) as conn:
        conn.execute(update(ClaimPayment).values(posting_state="paid"))


def test_every_posting_state_is_accepted(practice: Practice) -> None:
    _paid_claim(practice)
    for state in PostingState:
        with write_transaction(practice.engine) as conn:
            conn.execute(update(ClaimPayment).values(posting_state=state))


def test_an_audit_outcome_outside_audit_outcome_is_refused(practice: Practice) -> None:
    with pytest.raises(IntegrityError), write_transaction(practice.engine) as conn:
        record_event(conn, actor="t", action="test.check", outcome="maybe")  # type: ignore[arg-type]


def test_every_audit_outcome_is_accepted(practice: Practice) -> None:
    for outcome in AuditOutcome:
        with write_transaction(practice.engine) as conn:
            record_event(conn, actor="t", action="test.check", outcome=outcome)


def test_a_submitted_claim_status_outside_submission_status_is_refused(
        practice: Practice) -> None:
    practice.bill(("PCN1", (("HC:99213", "100"),)))
    with pytest.raises(IntegrityError), write_transaction(practice.engine) as conn:
        conn.execute(update(SubmittedClaim).values(status="paid"))


def test_every_submission_status_is_accepted(practice: Practice) -> None:
    practice.bill(("PCN1", (("HC:99213", "100"),)))
    for status in SubmissionStatus:
        with write_transaction(practice.engine) as conn:
            conn.execute(update(SubmittedClaim).values(status=status))


@pytest.mark.parametrize("model", [TransactionSet, Remittance], ids=["sets", "remittances"])
def test_a_set_status_outside_set_status_is_refused(practice: Practice, model: type) -> None:
    _paid_claim(practice)
    with pytest.raises(IntegrityError), write_transaction(practice.engine) as conn:
        conn.execute(update(model).values(status="imported"))


@pytest.mark.parametrize("model", [TransactionSet, Remittance], ids=["sets", "remittances"])
def test_every_set_status_is_accepted(practice: Practice, model: type) -> None:
    _paid_claim(practice)
    for status in SetStatus:
        with write_transaction(practice.engine) as conn:
            conn.execute(update(model).values(status=status))


def test_a_file_status_outside_file_status_is_refused(practice: Practice) -> None:
    _paid_claim(practice)
    with pytest.raises(IntegrityError), write_transaction(practice.engine) as conn:
        conn.execute(update(ReceivedFile).values(status="posted"))


def test_every_file_status_is_accepted(practice: Practice) -> None:
    _paid_claim(practice)
    for status in FileStatus:
        with write_transaction(practice.engine) as conn:
            conn.execute(update(ReceivedFile).values(status=status))


_BEFORE = "0014"  # the revision 0015 follows


def test_the_upgrade_stops_naming_a_stored_status_outside_the_enum(
        empty_database_url: str) -> None:
    """Rows are never rewritten to fit a constraint: the upgrade to 0015 refuses instead."""
    engine = make_engine(empty_database_url)
    try:
        upgrade(engine, _BEFORE)
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO received_files (sha256, file_name, size_bytes, kind, content, "
                "status, received_by) VALUES (:sha, 'old.835', 1, '835', :b, 'done', 't')"),
                {"sha": "e" * 64, "b": b"x"})
        with pytest.raises(RuntimeError, match=r"received_files.status holds \['done'\]"):
            upgrade(engine)
        assert current_revision(engine) == _BEFORE
    finally:
        engine.dispose()


def _item_event(practice: Practice, **statuses: str | None) -> None:
    with write_transaction(practice.engine) as conn:
        open_review_items(conn, [ReviewDraft("seed", "denial", "a seeded item")], "t")
        item_id = conn.execute(select(ReviewItem.id)).scalar_one()
        conn.execute(insert(ReviewItemEvent).values(
            review_item_id=item_id, actor="t", action=ItemAction.NOTE, **statuses))


@pytest.mark.parametrize("column", ["from_status", "to_status"])
def test_a_review_event_status_outside_review_status_is_refused(
        practice: Practice, column: str) -> None:
    with pytest.raises(IntegrityError):
        _item_event(practice, **{column: "closed"})


def test_review_events_take_every_review_status_or_none(practice: Practice) -> None:
    _item_event(practice, from_status=None, to_status=None)
    for status in ReviewStatus:
        with write_transaction(practice.engine) as conn:
            item_id = conn.execute(select(ReviewItem.id)).scalar_one()
            conn.execute(insert(ReviewItemEvent).values(
                review_item_id=item_id, actor="t", action=ItemAction.NOTE, from_status=status,
                to_status=status))
