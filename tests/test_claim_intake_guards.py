"""837 intake guards, on both databases: a claim billed twice is charged once, and a charge
below zero is a problem on its claim, never a credit.  X12 written inside the tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, insert, select

from edi_posting.archive.transaction_sets import SetContext, SetOutcome
from edi_posting.audit.writes import write_transaction
from edi_posting.cli import main
from edi_posting.db.engine import make_engine
from edi_posting.db.models import JournalLine, ReceivedFile, ReviewItem, SubmittedClaim
from edi_posting.intake.claims import import_claim_batch
from edi_posting.ledger import journal as ledger
from edi_posting.reports.ledger_checks import check_ledger
from tests.acting import as_user
from tests.x12build import build_x12, write_x12
from tests.x837 import HEADER, batch_of, claim, subscriber


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    yield eng
    with eng.connect() as conn:
        assert check_ledger(conn) == []
    eng.dispose()


def _import(engine: Engine, body: str, *, file_sha: str = "a" * 64, name: str = "t.837",
            **kwargs: str) -> SetOutcome:
    with write_transaction(engine) as conn:
        file_id = conn.execute(insert(ReceivedFile.__table__).values(
            sha256=file_sha, file_name=name, size_bytes=1, kind="837P", content=b"x",
            status="received", received_by="tester",
        )).inserted_primary_key[0]
        return import_claim_batch(conn, SetContext(file_id, None, "000000001", "tester"),
                                  batch_of(body, **kwargs))


def _claims(engine: Engine, pcn: str) -> list[tuple[int, str, int]]:
    """(id, status, insurance balance) of every submission of the PCN, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(select(SubmittedClaim.id, SubmittedClaim.status).where(
            SubmittedClaim.patient_control_number == pcn).order_by(SubmittedClaim.id)).all()
        return [(r.id, r.status, ledger.claim_balances(conn, r.id).insurance_cents)
                for r in rows]


def _items(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(ReviewItem).order_by(ReviewItem.id)))


# --- negative charges ------------------------------------------------------------------------


def test_negative_line_charge_holds_the_claim_and_queues_it_while_the_rest_posts(
    engine: Engine,
) -> None:
    body = (subscriber(2) + claim("PCNNEG", ("HC:99213", "100.00"), ("HC:85025", "-30.00"))
            + claim("PCNOK", ("HC:99213", "80.00")))
    outcome = _import(engine, body)
    assert (outcome.claims, outcome.posted, outcome.queued) == (2, 1, 1)
    [problem] = outcome.problems
    assert (problem.code, problem.severity.value, problem.element) == (
        "NEGATIVE_CHARGE", "ERROR", "SV102")
    assert problem.source is not None and problem.source.segment_position == 25
    assert problem.message == (
        "claim PCNNEG: a charge below zero is not a credit: SV102 -30.00 on line 2 (LX at "
        "segment 25); held, not charged")
    assert _claims(engine, "PCNNEG") == [(1, "held", 0)]
    assert _claims(engine, "PCNOK")[0][1:] == ("active", 8000)
    [item] = _items(engine)
    assert (item.kind, item.problem_code, item.submitted_claim_id) == ("claim_problem",
                                                                       "NEGATIVE_CHARGE", 1)


def test_negative_claim_total_is_a_problem_not_a_credit(engine: Engine) -> None:
    outcome = _import(engine, subscriber(2) + claim("PCNNEG", ("HC:99213", "-100.00")))
    assert outcome.posted == 0
    [problem] = outcome.problems
    assert (problem.code, problem.element) == ("NEGATIVE_CHARGE", "CLM02")
    assert problem.source is not None and problem.source.segment_position == 19
    assert problem.message == (
        "claim PCNNEG: a charge below zero is not a credit: CLM02 -100.00 (segment 19), "
        "SV102 -100.00 on line 1 (LX at segment 21); held, not charged")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(JournalLine)).scalar_one() == 0
    assert _claims(engine, "PCNNEG") == [(1, "held", 0)]
    assert [i.problem_code for i in _items(engine)] == ["NEGATIVE_CHARGE"]


def _bill_file(directory: Path, body: str, name: str, control: str) -> Path:
    text = build_x12(HEADER.split("~", 1)[1] + body, functional_id="HC",
                     transaction_id="837", version="005010X222A1",
                     interchange_control=control)
    return write_x12(directory, text, name)


def test_import_cli_reports_a_negative_charge_on_stderr_and_exits_0(tmp_path: Path) -> None:
    path = _bill_file(tmp_path, subscriber(2) + claim("PCNNEG", ("HC:99213", "-100.00")),
                      "neg.837", "000000301")
    env = {"EDI_POSTING_DATABASE_URL": f"sqlite:///{tmp_path / 'edi.db'}"}
    result = CliRunner().invoke(main, ["import", str(path)], env=env)
    assert result.exit_code == 0, result.output
    assert "neg.837  837P  imported  1                 1       0       1" in result.stdout
    assert ("neg.837: segment 19 CLM02: ERROR NEGATIVE_CHARGE: claim PCNNEG: a charge below "
            "zero is not a credit") in result.stderr


# --- the same claim billed twice -------------------------------------------------------------


OFFICE_VISIT = ("HC:99213", "100.00")


def test_same_claim_billed_again_in_a_second_file_is_a_duplicate_held_not_charged_twice(
    engine: Engine,
) -> None:
    _import(engine, subscriber(2) + claim("PCN1", OFFICE_VISIT), name="monday.837")
    again = _import(engine, subscriber(2) + claim("PCN1", OFFICE_VISIT, dos="20260221"),
                    bht="BATCH2", file_sha="b" * 64, name="tuesday.837")
    assert (again.status, again.claims, again.posted, again.queued) == ("imported", 1, 0, 1)
    [problem] = again.problems
    assert (problem.code, problem.severity.value, problem.element) == (
        "DUPLICATE_CLAIM", "ERROR", "CLM01")
    assert problem.source is not None and problem.source.segment_position == 19
    assert _claims(engine, "PCN1") == [(1, "active", 10000), (2, "held", 0)]
    [item] = _items(engine)
    assert (item.kind, item.problem_code, item.submitted_claim_id, item.amount_cents) == (
        "duplicate_claim", "DUPLICATE_CLAIM", 2, 10000)
    assert "billed to ACME HEALTH before" in item.message
    assert "monday.837" in item.message
    assert "replacement (CLM05-3 = 7)" in item.message
    earlier, new = item.evidence["earlier"], item.evidence["new"]
    assert (earlier["claim_id"], earlier["file"], earlier["charge"]) == (1, "monday.837", "100.00")
    assert earlier["imported_on"] and earlier["segment"] == 19
    assert (new["claim_id"], new["file"], new["charge"], new["segment"]) == (
        2, "tuesday.837", "100.00", 19)


def test_two_identical_claims_in_one_new_file_are_charged_once(engine: Engine) -> None:
    outcome = _import(engine, subscriber(2) + claim("PCN1", OFFICE_VISIT)
                      + claim("PCN1", OFFICE_VISIT) + claim("PCN2", OFFICE_VISIT))
    assert (outcome.claims, outcome.posted, outcome.queued) == (3, 2, 1)
    assert [p.code for p in outcome.problems] == ["DUPLICATE_CLAIM"]
    assert _claims(engine, "PCN1") == [(1, "active", 10000), (2, "held", 0)]
    [item] = _items(engine)
    assert (item.kind, item.evidence["earlier"]["claim_id"]) == ("duplicate_claim", 1)
    assert item.evidence["earlier"]["file"] == item.evidence["new"]["file"] == "t.837"


def test_same_pcn_billed_to_another_payer_is_charged(engine: Engine) -> None:
    _import(engine, subscriber(2) + claim("PCN1", OFFICE_VISIT))
    other = _import(engine, subscriber(2, payer="OTHER HEALTH", payer_id="OTHER02")
                    + claim("PCN1", OFFICE_VISIT), bht="BATCH2", file_sha="b" * 64)
    assert (other.posted, other.queued, other.problems) == (1, 0, [])


def test_a_claim_billed_again_after_its_void_is_charged(engine: Engine) -> None:
    _import(engine, subscriber(2) + claim("PCN1", OFFICE_VISIT))
    _import(engine, subscriber(2) + claim("PCN1", OFFICE_VISIT, freq="8"), bht="BATCH2",
            file_sha="b" * 64)
    again = _import(engine, subscriber(2) + claim("PCN1", OFFICE_VISIT), bht="BATCH3",
                    file_sha="c" * 64)
    assert (again.posted, again.problems) == (1, [])


def test_a_duplicate_claim_is_dismissed_by_the_specialist_and_stays_uncharged(
    engine: Engine,
) -> None:
    from edi_posting.review.actions import dismiss

    _import(engine, subscriber(2) + claim("PCN1", OFFICE_VISIT))
    _import(engine, subscriber(2) + claim("PCN1", OFFICE_VISIT), bht="BATCH2", file_sha="b" * 64)
    [item] = _items(engine)
    with write_transaction(engine) as conn:
        dismiss(conn, item.id, "sent twice by the clearinghouse", principal=as_user(conn, "sam"))
    assert [(i.status, i.resolution) for i in _items(engine)] == [
        ("dismissed", "sent twice by the clearinghouse")]
    assert _claims(engine, "PCN1") == [(1, "active", 10000), (2, "held", 0)]


def test_import_cli_holds_a_claim_billed_twice_and_says_why(tmp_path: Path) -> None:
    body = subscriber(2) + claim("PCN1", OFFICE_VISIT)
    first = _bill_file(tmp_path, body, "monday.837", "000000401")
    second = _bill_file(tmp_path, body, "tuesday.837",
                        "000000402")
    second.write_text(second.read_text().replace("BATCH1", "BATCH2"))
    env = {"EDI_POSTING_DATABASE_URL": f"sqlite:///{tmp_path / 'edi.db'}"}
    runner = CliRunner()
    assert runner.invoke(main, ["import", str(first)], env=env).exit_code == 0
    result = runner.invoke(main, ["import", str(second)], env=env)
    assert result.exit_code == 0, result.output
    assert "tuesday.837  837P  imported  1                 1       0       1" in result.stdout
    assert ("tuesday.837: segment 19 CLM01: ERROR DUPLICATE_CLAIM: claim PCN1 was billed to "
            "ACME HEALTH before") in result.stderr
    listed = runner.invoke(main, ["queue", "list", "--kind", "duplicate_claim"], env=env)
    assert listed.exit_code == 0 and "duplicate_claim" in listed.stdout


def test_the_same_claim_in_two_transaction_sets_of_one_file_is_charged_once(
    database_url: str, tmp_path: Path,
) -> None:
    from edi_posting.importing.pipeline import import_file
    from edi_posting.importing.units import ImportOptions

    body = HEADER.split("~", 1)[1] + subscriber(2) + claim("PCN1", OFFICE_VISIT)
    text = build_x12(body, body, functional_id="HC", transaction_id="837",
                     version="005010X222A1", interchange_control="000000501")
    engine = make_engine(database_url)
    try:
        result = import_file(engine, write_x12(tmp_path, text, "twice.837"),
                             ImportOptions(actor="tester"))
        assert (result.status, result.claims, result.posted, result.queued) == (
            "imported", 2, 1, 1)
        assert [p.code for p in result.problems] == ["DUPLICATE_CLAIM"]
        assert _claims(engine, "PCN1") == [(1, "active", 10000), (2, "held", 0)]
        with engine.connect() as conn:
            assert check_ledger(conn) == []
    finally:
        engine.dispose()


def test_migration_0009_allows_duplicate_claim_items_in_a_database_with_a_queue(
    empty_database_url: str,
) -> None:
    """Widening the kind CHECK keeps the review items and events already stored (SQLite
    cannot copy a table other tables refer to), and its downgrade never deletes history."""
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from edi_posting.db.migration import downgrade, upgrade

    def add_item(conn: Any, ident: int, kind: str) -> None:
        conn.execute(text("INSERT INTO review_items (id, dedupe_key, kind, status, priority, "
                          "amount_cents, message) VALUES (:id, :key, :kind, 'open', 3, 0, 'm')"),
                     {"id": ident, "key": f"k{ident}", "kind": kind})

    engine = make_engine(empty_database_url)
    try:
        upgrade(engine, "0007")
        with engine.begin() as conn:
            add_item(conn, 1, "denial")
            conn.execute(text("INSERT INTO review_item_events (review_item_id, actor, action) "
                              "VALUES (1, 'tester', 'opened')"))
        upgrade(engine)
        with engine.begin() as conn:
            add_item(conn, 2, "duplicate_claim")
            assert conn.execute(text("SELECT count(*) FROM review_item_events")).scalar() == 1
        with pytest.raises(IntegrityError), engine.begin() as conn:
            add_item(conn, 3, "no_such_kind")
        with pytest.raises(RuntimeError, match="1 duplicate_claim review item"):
            downgrade(engine, "0007")
    finally:
        engine.dispose()
