"""End to end: the generator's claims and remittances, imported in its stated order, end
with exactly the balances and review items its expected.json promises; every corpus 835
imports, and importing anything a second time posts nothing.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from sqlalchemy import case, func, select

from edi_posting.db.engine import make_engine
from edi_posting.db.models import (
    JournalEntry,
    JournalLine,
    LedgerAccount,
    ReviewItem,
    SubmittedClaim,
)
from edi_posting.importing.pipeline import import_paths
from edi_posting.importing.units import ImportOptions
from edi_posting.money import format_cents
from edi_posting.reports.ledger_checks import check_ledger
from edi_posting.reports.ledger_digest import ledger_digest
from edi_posting.testdata.generator import generate
from tests.corpus_manifest import CORPUS, count_segments, manifest_rows

ROWS = manifest_rows("835")


def _outcomes(url: str) -> dict[str, tuple[str, str, list[str]]]:
    """PCN -> (insurance balance, patient balance, review kinds raised) of each live claim."""
    engine = make_engine(url)
    with engine.connect() as conn:
        accounts = dict(conn.execute(select(LedgerAccount.code, LedgerAccount.id)).all())
        line = JournalLine.__table__
        amount = line.c.amount_cents
        balances = {row[0]: (int(row[1]), int(row[2])) for row in conn.execute(
            select(line.c.submitted_claim_id,
                   func.sum(case((line.c.account_id == accounts["insurance_ar"], amount), else_=0)),
                   func.sum(case((line.c.account_id == accounts["patient_ar"], amount), else_=0)))
            .group_by(line.c.submitted_claim_id))}
        kinds: dict[int, set[str]] = defaultdict(set)
        for claim_id, kind in conn.execute(select(ReviewItem.submitted_claim_id, ReviewItem.kind)):
            kinds[claim_id].add(kind)
        claims = conn.execute(select(SubmittedClaim.id, SubmittedClaim.patient_control_number)
                              .where(SubmittedClaim.status == "active")).all()
        assert check_ledger(conn) == []
    engine.dispose()
    return {pcn: (format_cents(balances.get(i, (0, 0))[0]), format_cents(balances.get(i, (0, 0))[1]),
                  sorted(kinds[i])) for i, pcn in claims}


@pytest.mark.parametrize("seed", [7, 2026])
def test_generated_claims_end_with_the_expected_balances_and_review_items(
    database_url: str, tmp_path: Path, seed: int
) -> None:
    out = tmp_path / "gen"
    generate(out, claims=240, seed=seed)
    expected = json.loads((out / "expected.json").read_text())
    options = ImportOptions(actor="tester")
    engine = make_engine(database_url)
    first = import_paths(engine, [out / "837", out / "835"], options)
    totals = first.totals()
    assert totals["payment_total"] == format_cents(
        sum(int(r["amount"].replace(".", "")) for r in expected["remittances"]))
    assert totals["unapplied_total"] == expected["totals"]["unapplied_cash"]
    statuses = Counter(f.status for f in first.files)
    assert statuses == {"imported": len(first.files) - 1, "already_imported": 1}
    got = _outcomes(database_url)
    want = {pcn: (e["insurance_balance"], e["patient_balance"], sorted(e["review"]))
            for pcn, e in expected["claims"].items()}
    assert got == want
    with engine.connect() as conn:
        kinds = Counter(k for (k,) in conn.execute(select(ReviewItem.kind)))
        digest = ledger_digest(conn)
        entries = conn.execute(select(func.count()).select_from(JournalEntry)).scalar_one()
    for kind in ("unmatched_payment", "unlinked_plb", "orphan_reversal", "credit_balance",
                 "awaiting_correction", "balancing_failure", "denial"):
        assert kinds[kind] == expected["review_counts"].get(kind, 0), kind
    again = import_paths(engine, [out / "837", out / "835"], options)
    assert {f.status for f in again.files} == {"already_imported"}
    with engine.connect() as conn:
        assert ledger_digest(conn) == digest
        assert conn.execute(select(func.count()).select_from(JournalEntry)).scalar_one() == entries
    engine.dispose()


@pytest.mark.skipif(not ROWS, reason="the shared corpus is not beside the checkout")
def test_every_corpus_835_imports_and_a_second_import_posts_nothing(database_url: str) -> None:
    engine = make_engine(database_url)
    options = ImportOptions(actor="tester")
    for row in ROWS:
        result = import_paths(engine, [CORPUS / row["file"]], options).files[0]
        if result.status == "rejected":
            assert any(p.is_fatal for p in result.problems), row["file"]
            continue
        fatal = any(p.is_fatal for p in result.problems)
        assert fatal or result.claims == count_segments(CORPUS / row["file"], "CLP"), row["file"]
    with engine.connect() as conn:
        assert check_ledger(conn) == []
        entries = conn.execute(select(func.count()).select_from(JournalEntry)).scalar_one()
        digest = ledger_digest(conn)
    for row in ROWS:
        again = import_paths(engine, [CORPUS / row["file"]], options).files[0]
        assert (again.status, again.posted) == ("already_imported", 0), row["file"]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(JournalEntry)).scalar_one() == entries
        assert ledger_digest(conn) == digest
    engine.dispose()
