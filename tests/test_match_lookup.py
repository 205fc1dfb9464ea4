"""The database ClaimLookup on SQLite and PostgreSQL: claims imported through 837 intake."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event, insert

from edi_posting.archive.transaction_sets import SetContext
from edi_posting.audit.writes import write_transaction
from edi_posting.db.engine import make_engine
from edi_posting.db.models import ReceivedFile
from edi_posting.intake.claims import import_claim_batch
from edi_posting.matching.claims import match_claim, match_claims
from edi_posting.matching.lines import CandidateLine, LinePaymentFacts
from edi_posting.matching.lookup import PREFIX_LIMIT, DatabaseClaimLookup
from edi_posting.matching.records import PaymentFacts
from edi_posting.records.states import MatchMethod
from tests.x837 import batch_of, claim, subscriber

FEB20 = dt.date(2026, 2, 20)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


def _import(engine: Engine, body: str, *, sha: str = "a" * 64, bht: str = "BATCH1") -> None:
    with write_transaction(engine) as conn:
        file_id = conn.execute(insert(ReceivedFile).values(
            sha256=sha, file_name="t.837", size_bytes=1, kind="837P", content=b"x",
            status="received", received_by="tester",
        ).returning(ReceivedFile.id)).scalar_one()
        outcome = import_claim_batch(conn, SetContext(file_id, None, "000000001", "tester"),
                                     batch_of(body, bht=bht))
    assert outcome.status == "imported"


def _two_patients(engine: Engine) -> None:
    _import(engine, subscriber(2) + claim("PCN1", ("HC:99213", "100.00"), ("HC:85025:QW", "25.50"))
            + subscriber(3, last="ZQROBIN", first="BEA", member="ZQM000222", dob="19700301")
            + claim("PCN2", ("HC:99214", "150.00"), dos="20260305"))


class QueryCounter:
    def __init__(self, engine: Engine) -> None:
        self.statements: list[str] = []
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith("BEGIN"):  # SQLite emits its own BEGIN
            self.statements.append(statement)


def test_by_pcns_returns_claims_with_their_lines_patient_and_member_ids(engine: Engine) -> None:
    _two_patients(engine)
    with engine.connect() as conn:
        found = DatabaseClaimLookup(conn).by_pcns([" pcn1", "PCN2", "NOPE"])
    assert sorted(found) == ["PCN1", "PCN2"]
    (first,) = found["PCN1"]
    assert (first.pcn, first.charge_cents, first.status) == ("PCN1", 12550, "active")
    assert (first.patient_last_name, first.patient_first_name, first.birth_date) == (
        "ZQCANARY", "ALBA", dt.date(1980, 1, 15))
    assert first.member_ids == ("ZQM000111",) and first.payer_id is not None
    assert (first.statement_from, first.statement_to) == (FEB20, FEB20)
    assert [(ln.procedure_code, ln.modifiers, ln.charge_cents, ln.line_item_control_number,
             ln.service_date_from) for ln in first.lines] == [
        ("99213", (), 10000, "PCN1-1", FEB20), ("85025", ("QW",), 2550, "PCN1-2", FEB20)]
    assert all(isinstance(ln, CandidateLine) and ln.line_id > 0 for ln in first.lines)
    assert found["PCN2"][0].member_ids == ("ZQM000222",)


def test_replaced_and_voided_submissions_are_not_candidates(engine: Engine) -> None:
    _import(engine, subscriber(2) + claim("PCN1", ("HC:99213", "100.00"))
            + claim("PCN3", ("HC:99213", "80.00")))
    _import(engine, subscriber(2) + claim("PCN1", ("HC:99214", "150.00"), freq="7")
            + claim("PCN3", ("HC:99213", "80.00"), freq="8"), sha="b" * 64, bht="BATCH2")
    with engine.connect() as conn:
        found = DatabaseClaimLookup(conn).by_pcns(["PCN1", "PCN3"])
    assert list(found) == ["PCN1"]
    assert [(c.status, c.charge_cents) for c in found["PCN1"]] == [("active", 15000)]


def test_by_pcn_prefix_finds_longer_pcns_and_escapes_like_wildcards(engine: Engine) -> None:
    _import(engine, subscriber(2) + claim("AB%_1234-77", ("HC:99213", "100.00"))
            + claim("ABXY1234-77", ("HC:99213", "100.00"))
            + claim("ACCT12345-77", ("HC:99213", "100.00")))
    with engine.connect() as conn:
        lookup = DatabaseClaimLookup(conn)
        assert [c.pcn for c in lookup.by_pcn_prefix("ab%_1234")] == ["AB%_1234-77"]
        assert [c.pcn for c in lookup.by_pcn_prefix("ACCT12345")] == ["ACCT12345-77"]
        assert lookup.by_pcn_prefix("ACCT9") == []
        payment = PaymentFacts("ACCT12345", "1", 10000, 8000)
        match = match_claim(payment, lookup)
    assert (match.method, match.is_safe) == (MatchMethod.TRUNCATED_PCN, True)
    assert match.claim is not None and match.claim.pcn == "ACCT12345-77"


@pytest.mark.parametrize("prefix_limit", [PREFIX_LIMIT, 3])
def test_prefixes_of_a_set_find_what_each_prefix_finds_alone(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, prefix_limit: int
) -> None:
    """One query for the set; the per-prefix limit holds, overlapping prefixes each get
    their own newest claims, and a capped combined result falls back prefix by prefix."""
    monkeypatch.setattr("edi_posting.matching.lookup.PREFIX_LIMIT", prefix_limit)
    claims = "".join(claim(f"ACCT00000-{i:02d}", ("HC:99213", "100.00")) for i in range(25))
    claims += claim("ACCT00001-1", ("HC:99213", "100.00")) + claim("ACCT00001-2", ("HC:99213", "100.00"))
    _import(engine, subscriber(2) + claims + claim("AB%_1234-77", ("HC:99213", "100.00")))
    prefixes = ["ACCT00000", "ACCT0000", "ACCT00001", "NOPE1234", "ab%_12", "AB%_1234-77"]
    with engine.connect() as conn:
        lookup = DatabaseClaimLookup(conn)
        alone = {p: lookup.by_pcn_prefix(p) for p in prefixes}
        counter = QueryCounter(engine)
        together = lookup.by_pcn_prefixes(prefixes)
    assert together == {p: found for p, found in alone.items() if found}
    assert len(together["ACCT00000"]) == prefix_limit and "NOPE1234" not in together
    if prefix_limit == PREFIX_LIMIT:
        assert len(counter.statements) == 3  # claims, their lines, their member IDs


def test_fallback_finds_claims_by_member_id_or_last_name_within_the_dates(engine: Engine) -> None:
    _two_patients(engine)
    with engine.connect() as conn:
        lookup = DatabaseClaimLookup(conn)
        by_member = lookup.by_member_or_name(["zqm000111"], None, (FEB20, FEB20))
        by_name = lookup.by_member_or_name([], "zqrobin", None)
        elsewhen = lookup.by_member_or_name(["ZQM000111"], "ZQROBIN",
                                            (dt.date(2026, 3, 1), dt.date(2026, 3, 31)))
    assert [c.pcn for c in by_member] == ["PCN1"]
    assert [c.pcn for c in by_name] == ["PCN2"]
    assert [c.pcn for c in elsewhen] == ["PCN2"]
    assert [ln.procedure_code for ln in by_member[0].lines] == ["99213", "85025"]


def test_fallback_by_member_id_is_not_crowded_out_by_newer_namesakes(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("edi_posting.matching.lookup.FALLBACK_LIMIT", 2)
    body = subscriber(2) + claim("MINE", ("HC:99213", "100.00"))
    for n in range(3):  # three other patients named ZQCANARY, billed after
        body += subscriber(3 + n, first=f"ZQOTHER{n}", member=f"ZQM00090{n}",
                           dob=f"1990010{n + 1}") + claim(f"THEIRS{n}", ("HC:99213", "100.00"))
    _import(engine, body)
    with engine.connect() as conn:
        found = DatabaseClaimLookup(conn).by_member_or_name(["ZQM000111"], "ZQCANARY",
                                                           (FEB20, FEB20))
    assert [c.pcn for c in found] == ["THEIRS2", "THEIRS1", "MINE"]  # 2 by name, 1 by ID


def test_fallback_by_name_keeps_the_namesakes_with_the_same_first_name(engine: Engine) -> None:
    _import(engine, subscriber(2, first="JEAN-PAUL") + claim("JP", ("HC:99213", "100.00"))
            + subscriber(3, first="MARIE", member="ZQM000333", dob="19750505")
            + claim("MARIE1", ("HC:99213", "100.00")))
    with engine.connect() as conn:
        lookup = DatabaseClaimLookup(conn)
        same_first = lookup.by_member_or_name([], "zqcanary", None, "Jean Paul")
        any_first = lookup.by_member_or_name([], "zqcanary", None)
        nobody = lookup.by_member_or_name([], "zqcanary", None, "LUC")
    assert [c.pcn for c in same_first] == ["JP"]
    assert [c.pcn for c in any_first] == ["MARIE1", "JP"]
    assert nobody == []


def test_fallback_by_name_ignores_punctuation_and_spaces_in_the_last_name_too(
        engine: Engine) -> None:
    _import(engine, subscriber(2, last="ZQ O'NEIL-SMITH") + claim("ON1", ("HC:99213", "100.00")))
    with engine.connect() as conn:
        lookup = DatabaseClaimLookup(conn)
        found = lookup.by_member_or_name([], "zqoneil smith", None, "alba")
        other = lookup.by_member_or_name([], "zqoneil", None, "alba")
    assert [c.pcn for c in found] == ["ON1"]
    assert other == []


def test_fallback_match_end_to_end_on_the_database(engine: Engine) -> None:
    _two_patients(engine)
    payment = PaymentFacts(
        "LOST-PCN", "1", 12550, 9000, "ICN9", None, "ZQCANARY", "ALBA", "ZQM000111", None,
        FEB20, FEB20, (LinePaymentFacts(1, "HC", "85025", ("QW",), charge_cents=2550,
                                        service_date_from=FEB20, service_date_to=FEB20),),
    )
    with engine.connect() as conn:
        match = match_claim(payment, DatabaseClaimLookup(conn))
    assert (match.method, match.is_safe) == (MatchMethod.FALLBACK, True)
    assert match.claim is not None and match.claim.pcn == "PCN1"
    assert match.lines is not None and match.lines.unpaid_line_ids == (match.claim.lines[0].line_id,)


def test_two_hundred_pcns_take_a_bounded_number_of_queries(engine: Engine) -> None:
    claims = "".join(claim(f"BULK{i:04d}", ("HC:99213", "100.00"), ("HC:85025", "25.50"))
                     for i in range(200))
    _import(engine, subscriber(2) + claims)
    pcns = [f"BULK{i:04d}" for i in range(200)]
    with engine.connect() as conn:
        counter = QueryCounter(engine)
        found = DatabaseClaimLookup(conn).by_pcns(pcns)
        looked_up = len(counter.statements)
        payments = [PaymentFacts(pcn, "1", 12550, 12550) for pcn in pcns]
        matches = match_claims(payments, DatabaseClaimLookup(conn))
    assert looked_up <= 3  # claims, their lines, their member IDs
    assert len(counter.statements) - looked_up <= 3
    assert sorted(found) == pcns and all(len(c[0].lines) == 2 for c in found.values())
    assert [m.method for m in matches] == [MatchMethod.PCN] * 200 and all(m.is_safe for m in matches)
