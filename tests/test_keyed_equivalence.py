"""A keyed EOB and the equivalent 835 give identical ledgers apart from the source (issue
24), proven on the generator's data: it writes some 835 files' checks in keyed form too
(``DIR/eob``, CSV and JSON alternating).  One database imports every 835; the other the
same files, except that each keyed twin stands in for its 835.  Amounts per account, claim,
payer and entry kind, and the review items, must be the same.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from edi_posting.db.engine import make_engine
from edi_posting.db.models import (
    JournalEntry,
    JournalLine,
    LedgerAccount,
    Payer,
    ReviewItem,
    SubmittedClaim,
    TransactionSet,
)
from edi_posting.importing.pipeline import import_file
from edi_posting.importing.units import ImportOptions
from edi_posting.records.states import FileStatus
from edi_posting.reports.ledger_checks import check_ledger
from edi_posting.testdata.generator import generate

MIX = {"paid": 4, "contractual": 6, "denied": 2, "creative_denial": 1, "secondary": 1,
       "reversal": 2, "reversal_later": 2, "orphan_reversal": 1, "split": 2,
       "modifier_dropped": 1, "truncated_pcn": 1, "overpaid": 1, "interest": 2, "plb_cs": 1,
       "unknown_pcn": 1}


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("keyed-day")
    generate(out, 120, seed=5, payers=2, mix=MIX)
    return out


def _import_day(engine: Engine, out: Path, keyed: bool) -> list[str]:
    options = ImportOptions(actor="keyer")
    files = json.loads((out / "expected.json").read_text())["files"]
    twins = {t["twin_of"]: t["file"] for t in files["eob"]} if keyed else {}
    for name in files["837"]:
        assert import_file(engine, out / "837" / name, options).status == FileStatus.IMPORTED
    statuses = []
    resent = {d["file"] for d in files["duplicates"]}  # see the test's end
    for name in (n for n in files["835"] if n not in resent):
        path = out / "eob" / twins[name] if name in twins else out / "835" / name
        result = import_file(engine, path, options)
        assert not [p for p in result.problems if p.code.value.startswith("KEYED")], name
        statuses.append(f"{result.kind}:{result.status}")
    return statuses


def _ledger(engine: Engine) -> Counter[tuple[str, str | None, str | None, str]]:
    line, entry, account = JournalLine, JournalEntry, LedgerAccount
    query = (select(account.code, SubmittedClaim.patient_control_number, Payer.name,
                    entry.kind, func.sum(line.amount_cents))
             .join(entry, entry.id == line.entry_id).join(account, account.id == line.account_id)
             .outerjoin(SubmittedClaim, SubmittedClaim.id == line.submitted_claim_id)
             .outerjoin(Payer, Payer.id == line.payer_id)
             .group_by(account.code, SubmittedClaim.patient_control_number, Payer.name,
                       entry.kind))
    with engine.connect() as conn:
        return Counter({(a, c, p, k): int(s) for a, c, p, k, s in conn.execute(query) if s})


def _items(engine: Engine) -> Counter[tuple[str, str | None, str | None, int, str]]:
    query = (select(ReviewItem.kind, ReviewItem.problem_code,
                    SubmittedClaim.patient_control_number, ReviewItem.amount_cents,
                    ReviewItem.status)
             .outerjoin(SubmittedClaim, SubmittedClaim.id == ReviewItem.submitted_claim_id))
    with engine.connect() as conn:
        return Counter(tuple(r) for r in conn.execute(query))  # type: ignore[misc]


def test_the_generators_keyed_twins_post_the_same_ledger_as_their_835s(
        day: Path, database_factory: Callable[[], AbstractContextManager[str]]) -> None:
    twins = json.loads((day / "expected.json").read_text())["files"]["eob"]
    assert {t["form"] for t in twins} == {"csv", "json"}
    with database_factory() as url_835, database_factory() as url_keyed:
        by_835, keyed = make_engine(url_835), make_engine(url_keyed)
        try:
            plain = _import_day(by_835, day, keyed=False)
            mixed = _import_day(keyed, day, keyed=True)
            assert [s.split(":")[1] for s in plain] == [s.split(":")[1] for s in mixed]
            assert sum(s.startswith("eob:") for s in mixed) == len(twins)
            assert _ledger(keyed) == _ledger(by_835)
            assert _items(keyed) == _items(by_835)
            with keyed.connect() as conn:
                assert check_ledger(conn) == []
                kinds = Counter(conn.execute(select(TransactionSet.kind)).scalars())
            assert kinds["eob"] == sum(len(t["checks"]) for t in twins)
            _the_835_of_a_keyed_check_posts_nothing(keyed, day)
        finally:
            by_835.dispose()
            keyed.dispose()


def _the_835_of_a_keyed_check_posts_nothing(engine: Engine, out: Path) -> None:
    """The generator resends an early 835: where that check was keyed instead, the 835 is
    the same payment in its other form, a conflict for a person, never a second post."""
    files = json.loads((out / "expected.json").read_text())["files"]
    keyed = {t["twin_of"] for t in files["eob"]}
    before = _ledger(engine)
    for duplicate in files["duplicates"]:
        result = import_file(engine, out / "835" / duplicate["file"], ImportOptions("keyer"))
        expected = "conflict" if duplicate["duplicate_of"] in keyed else "already_imported"
        assert set(result.set_statuses) == {expected}
    assert _ledger(engine) == before
