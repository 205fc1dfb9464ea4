"""837 intake on both databases: claims, patients, accounts and charges on the ledger."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, func, insert, select

from edi_posting.archive.transaction_sets import SetContext
from edi_posting.audit.writes import write_transaction
from edi_posting.db.engine import make_engine
from edi_posting.db.models import (
    JournalEntry,
    JournalLine,
    Patient,
    PatientAccount,
    ReceivedFile,
    ReviewItem,
    SubmittedClaim,
)
from edi_posting.intake.claims import import_claim_batch
from edi_posting.ledger import journal as ledger
from edi_posting.reports.ledger_checks import check_ledger
from tests.x837 import batch_of, claim, subscriber


@pytest.fixture
def engine(database_url: str) -> Iterator[object]:
    eng = make_engine(database_url)
    yield eng
    with eng.connect() as conn:
        assert check_ledger(conn) == []
    eng.dispose()


def _import(engine: object, body: str, **kwargs: str) -> object:
    with write_transaction(engine) as conn:  # type: ignore[arg-type]
        file_id = conn.execute(insert(ReceivedFile.__table__).values(
            sha256=kwargs.pop("file_sha", "a" * 64), file_name="t.837", size_bytes=1,
            kind="837P", content=b"x", status="received", received_by="tester",
        )).inserted_primary_key[0]
        return import_claim_batch(conn, SetContext(file_id, None, "000000001", "tester"),
                                  batch_of(body, **kwargs))


def _count(conn: Connection, model: object) -> int:
    return int(conn.execute(select(func.count()).select_from(model)).scalar_one())  # type: ignore[arg-type]


def _claim_id(conn: Connection, pcn: str, status: str | None = None) -> int:
    query = select(SubmittedClaim.id).where(SubmittedClaim.patient_control_number == pcn)
    if status:
        query = query.where(SubmittedClaim.status == status)
    return int(conn.execute(query.order_by(SubmittedClaim.id.desc())).scalars().first())  # type: ignore[arg-type]


def test_importing_a_claim_posts_its_charge_to_the_payer_receivable(engine: object) -> None:
    outcome = _import(engine, subscriber(2) + claim("PCN1", ("HC:99213", "100.00"), ("HC:85025:QW", "25.50")))
    assert (outcome.status, outcome.claims, outcome.posted, outcome.queued) == ("imported", 1, 1, 0)
    with engine.connect() as conn:  # type: ignore[attr-defined]
        claim_id = _claim_id(conn, "PCN1")
        assert ledger.claim_balances(conn, claim_id) == ledger.Balances(12550, 0)
        lines = conn.execute(select(JournalLine.amount_cents).order_by(JournalLine.id)).scalars().all()
        assert lines == [10000, -10000, 2550, -2550]
        assert _count(conn, Patient) == 1 and _count(conn, PatientAccount) == 1


def test_reimporting_the_same_set_posts_nothing(engine: object) -> None:
    body = subscriber(2) + claim("PCN1", ("HC:99213", "100.00"))
    _import(engine, body)
    again = _import(engine, body, file_sha="b" * 64)
    assert (again.status, again.posted) == ("already_imported", 0)
    with engine.connect() as conn:  # type: ignore[attr-defined]
        assert _count(conn, JournalEntry) == 1 and _count(conn, SubmittedClaim) == 1


def test_same_set_identity_with_different_content_is_a_conflict(engine: object) -> None:
    _import(engine, subscriber(2) + claim("PCN1", ("HC:99213", "100.00")))
    conflict = _import(engine, subscriber(2) + claim("PCN1", ("HC:99213", "999.00")), file_sha="b" * 64)
    assert (conflict.status, conflict.posted, conflict.queued) == ("conflict", 0, 1)
    with engine.connect() as conn:  # type: ignore[attr-defined]
        kinds = conn.execute(select(ReviewItem.kind)).scalars().all()
        assert kinds == ["duplicate_conflict"]


def test_replacement_reverses_the_original_charge_and_posts_the_new_one(engine: object) -> None:
    _import(engine, subscriber(2) + claim("PCN1", ("HC:99213", "100.00")))
    outcome = _import(engine, subscriber(2) + claim("PCN1", ("HC:99214", "150.00"), freq="7"),
                      bht="BATCH2", file_sha="b" * 64)
    assert (outcome.status, outcome.posted) == ("imported", 1)
    with engine.connect() as conn:  # type: ignore[attr-defined]
        old, new = _claim_id(conn, "PCN1", "replaced"), _claim_id(conn, "PCN1", "active")
        assert ledger.claim_balances(conn, old).insurance_cents == 0
        assert ledger.claim_balances(conn, new).insurance_cents == 15000
        reversal = conn.execute(select(JournalEntry).where(JournalEntry.kind == "charge_reversal")).one()
        original = conn.execute(select(JournalEntry).where(JournalEntry.submitted_claim_id == old, JournalEntry.kind == "charge")).one()
        assert reversal.reverses_entry_id == original.id


def test_void_reverses_the_original_charge_and_posts_nothing_new(engine: object) -> None:
    _import(engine, subscriber(2) + claim("PCN1", ("HC:99213", "100.00")))
    outcome = _import(engine, subscriber(2) + claim("PCN1", ("HC:99213", "100.00"), freq="8"),
                      bht="BATCH2", file_sha="b" * 64)
    assert outcome.posted == 0
    with engine.connect() as conn:  # type: ignore[attr-defined]
        assert ledger.claim_balances(conn, _claim_id(conn, "PCN1", "voided")).total_cents == 0
        assert conn.execute(select(func.sum(JournalLine.amount_cents))).scalar_one() == 0


def test_replacement_of_an_unknown_claim_is_held_and_queued_while_others_import(engine: object) -> None:
    body = subscriber(2) + claim("GHOST", ("HC:99213", "100.00"), freq="7") + claim("PCN2", ("HC:99213", "80.00"))
    outcome = _import(engine, body)
    assert (outcome.claims, outcome.posted, outcome.queued) == (2, 1, 1)
    assert [p.code for p in outcome.problems] == ["ORIGINAL_CLAIM_NOT_FOUND"]
    with engine.connect() as conn:  # type: ignore[attr-defined]
        assert ledger.claim_balances(conn, _claim_id(conn, "PCN2")).insurance_cents == 8000
        assert ledger.claim_balances(conn, _claim_id(conn, "GHOST", "held")).insurance_cents == 0


def test_claim_whose_total_differs_from_its_lines_is_held_with_the_difference(engine: object) -> None:
    outcome = _import(engine, subscriber(2) + claim("PCN1", ("HC:99213", "100.00"), total="110.00"))
    assert outcome.posted == 0
    problem = outcome.problems[0]
    assert problem.code == "CLAIM_CHARGE_MISMATCH"
    assert problem.message == "claim PCN1: CLM02 110.00 but the lines sum to 100.00 (difference 10.00)"


def test_claim_without_lines_is_held(engine: object) -> None:
    outcome = _import(engine, subscriber(2) + "CLM*PCN9*50.00***11:B:1*Y*A*Y*Y~\n")
    assert [p.code for p in outcome.problems] == ["CLAIM_WITHOUT_LINES"]


def test_same_member_id_for_another_person_is_a_conflict_never_a_merge(engine: object) -> None:
    _import(engine, subscriber(2) + claim("PCN1", ("HC:99213", "100.00")))
    outcome = _import(engine, subscriber(2, last="ZQOTHER", first="BRUNO", dob="19700101")
                      + claim("PCN2", ("HC:99213", "100.00")), bht="BATCH2", file_sha="b" * 64)
    assert outcome.posted == 1
    with engine.connect() as conn:  # type: ignore[attr-defined]
        assert _count(conn, Patient) == 2
        assert conn.execute(select(ReviewItem.kind)).scalars().all() == ["patient_conflict"]


def test_many_claims_per_subscriber_and_many_subscribers_share_patients_and_accounts(engine: object) -> None:
    body = (subscriber(2) + claim("PCN1", ("HC:99213", "10.00")) + claim("PCN2", ("HC:99213", "20.00"))
            + subscriber(3, last="ZQSECOND", member="ZQM222", dob="19900202")
            + claim("PCN3", ("HC:99213", "30.00")))
    outcome = _import(engine, body)
    assert (outcome.claims, outcome.posted) == (3, 3)
    with engine.connect() as conn:  # type: ignore[attr-defined]
        assert _count(conn, Patient) == 2 and _count(conn, PatientAccount) == 2
