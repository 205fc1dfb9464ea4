"""Importers at the same time.  Eight at once into one PostgreSQL database, with overlapping and disjoint
files: the same files, copies under other names, the same sets concatenated into other
files, in other orders.  Every lost race on an identity key (file, interchange, payer
alias, transaction set, review item) is retried by the loser, which then sees the winner's
rows: every process ends 0 or 65, and every claim payment is posted exactly once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Connection, func, select, text

from edi_posting.archive.transaction_sets import SetContext, SetOutcome
from edi_posting.db.engine import make_engine
from edi_posting.db.models import (
    ClaimPayment,
    JournalLine,
    LedgerAccount,
    ReceivedFile,
    Remittance,
    ReviewItem,
    TransactionSet,
)
from edi_posting.importing import remittances as remittance_import
from edi_posting.importing.pipeline import import_one
from edi_posting.importing.units import FileResult
from edi_posting.reports.ledger_checks import check_ledger
from edi_posting.x12.remit835.file import RemittanceSetRead
from tests.corpus_manifest import count_segments
from tests.x12build import build_x12, write_x12
from tests.x835 import Practice, clp, remit, svc

REPO = Path(__file__).resolve().parents[1]
PROCESSES = 8


def _cli(url: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "EDI_POSTING_ACTOR": "importer"}
    env.pop("EDI_POSTING_DEBUG", None)
    return subprocess.Popen([sys.executable, "-m", "edi_posting", "--db", url, *args],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _copy(target: Path, *sources: Path) -> Path:
    target.write_bytes(b"".join(s.read_bytes() for s in sources))
    return target


def _workloads(remits: list[Path], tmp: Path) -> list[list[Path]]:
    """What each importer is given: overlapping and disjoint, in different orders."""
    (tmp / "copies").mkdir()
    copies = [_copy(tmp / "copies" / f"copy-{p.name}", p) for p in remits]
    batch = _copy(tmp / "batch-all.835", *remits)
    backwards = _copy(tmp / "batch-backwards.835", *reversed(remits))
    half = len(remits) // 2
    pairs = [_copy(tmp / f"pair-{n}.835", *remits[n:n + 2]) for n in range(0, len(remits), 2)]
    return [remits, list(reversed(remits)), copies, [batch], [backwards],
            remits[:half], remits[half:], pairs]


@pytest.mark.parametrize("backend", ["postgresql"])
def test_eight_concurrent_importers_post_every_claim_payment_once(
    database_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "gen"
    subprocess.run([sys.executable, "-m", "edi_posting", "generate", "--claims", "200",
                    "--seed", "11", "--out", str(out)], check=True, capture_output=True,
                   env={**os.environ, "PYTHONPATH": str(REPO)})
    expected = json.loads((out / "expected.json").read_text())
    claims = _cli(database_url, "import", str(out / "837"))
    assert claims.wait(timeout=120) == 0, claims.stderr.read() if claims.stderr else ""
    remits = sorted((out / "835").iterdir())
    distinct = [p for p in remits if "resent" not in p.name]
    workloads = _workloads(remits, tmp_path)
    assert len(workloads) == PROCESSES
    procs = [_cli(database_url, "import", "--format", "json", *map(str, files))
             for files in workloads]
    outputs = [p.communicate(timeout=300) for p in procs]
    codes = [p.returncode for p in procs]
    assert all(code in (0, 65) for code in codes), [
        (code, err[-2000:]) for code, (_, err) in zip(codes, outputs)]
    for stdout, _ in outputs:
        assert all(f["status"] != "failed" for f in json.loads(stdout)["files"])
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            traces = Counter(conn.execute(select(Remittance.trace_number)).scalars())
            assert traces == Counter(r["trace"] for r in expected["remittances"])
            sets = conn.execute(select(func.count()).select_from(TransactionSet)
                                .where(TransactionSet.kind == "835")).scalar_one()
            assert sets == len(expected["remittances"])
            payments = conn.execute(select(func.count()).select_from(ClaimPayment)).scalar_one()
            assert payments == sum(count_segments(p, "CLP") for p in distinct)
            cash = conn.execute(
                select(func.coalesce(func.sum(JournalLine.amount_cents), 0))
                .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
                .where(LedgerAccount.code == "cash_clearing")).scalar_one()
            assert cash == sum(int(r["amount"].replace(".", "")) for r in expected["remittances"])
            assert check_ledger(conn) == []
            files = conn.execute(select(func.count()).select_from(ReceivedFile)
                                 .where(ReceivedFile.status == "failed")).scalar_one()
            assert files == 0
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_set_another_importer_is_committing_is_already_imported_not_an_error(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Importer B reaches the transaction-set key importer A has inserted but not yet
    committed: PostgreSQL makes B wait, then refuses B's row once A commits.  B runs its
    set again and finds A's: ``already_imported``."""
    practice = Practice(database_url, tmp_path)
    practice.bill(("PCN1", (("HC:99213", "100"),)))
    body = remit("80", clp("PCN1", "1", "100", "80", "0", "ICN1",
                           svc("99213", "100", "80", "CO*45*20")))
    first = write_x12(tmp_path, build_x12(body, interchange_control="000000701"), "a.835")
    second = write_x12(tmp_path, build_x12(body, interchange_control="000000702"), "b.835")
    results = _import_b_while_a_commits(practice, first, second, monkeypatch)
    assert results["a.835"].set_statuses == ["posted"]
    assert (results["b.835"].status, results["b.835"].set_statuses) == (
        "already_imported", ["already_imported"])
    with practice.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ClaimPayment)).scalar_one() == 1
    practice.check()
    practice.close()


def _import_b_while_a_commits(practice: Practice, first: Path, second: Path,
                              monkeypatch: pytest.MonkeyPatch) -> dict[str, FileResult]:
    """Import ``first`` (a.835) and ``second`` in two threads: A posts its set and holds its
    transaction open until B is seen waiting on a lock, then commits; each file's result."""
    posted, release = threading.Event(), threading.Event()
    real = remittance_import.post_remittance

    def hold_a(conn: Connection, ctx: SetContext, read: RemittanceSetRead,
               key: str) -> SetOutcome:
        outcome = real(conn, ctx, read, key)
        if read.header.source.file_name == first.name:
            posted.set()
            assert release.wait(30)
        return outcome

    monkeypatch.setattr(remittance_import, "post_remittance", hold_a)
    results: dict[str, FileResult] = {}
    threads = [threading.Thread(target=lambda p=p: results.__setitem__(
        p.name, import_one(practice.engine, p, practice.options))) for p in (first, second)]
    threads[0].start()
    assert posted.wait(30)
    threads[1].start()
    _wait_for_a_lock_wait(practice)
    release.set()
    for thread in threads:
        thread.join(60)
    return results


def _wait_for_a_lock_wait(practice: Practice) -> None:
    """Until a session waits on a lock (B on A's uncommitted key), at most ten seconds."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with practice.engine.connect() as conn:
            if conn.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar():
                return
        time.sleep(0.05)
    pytest.fail("importer B never waited for importer A's transaction")


@pytest.mark.parametrize("backend", ["postgresql"])
def test_two_importers_paying_one_claim_at_once_hold_the_second_as_a_duplicate(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two different payments (two traces) of the same claim lines, posted by two importers
    at once: B waits for A's claim, then sees A's payment, so it holds its own as a
    duplicate instead of paying the claim twice (and no credit is left without its item)."""
    practice = Practice(database_url, tmp_path)
    practice.bill(("PCN1", (("HC:99213", "100"),)), ("PCN2", (("HC:99213", "100"),)))
    practice.receive(remit("100", clp("PCN2", "1", "100", "100", "0", "ICN0",  # the payer's
                                      svc("99213", "100", "100")), trace="TRACE0"))  # aliases known
    paid = clp("PCN1", "1", "100", "80", "0", "ICN1", svc("99213", "100", "80", "CO*45*20"))
    first = write_x12(tmp_path, build_x12(remit("80", paid, trace="TRACEA"),
                                          interchange_control="000000801"), "a.835")
    second = write_x12(tmp_path, build_x12(remit("80", paid.replace("ICN1", "ICN2"),
                                                 trace="TRACEB"),
                                           interchange_control="000000802"), "b.835")
    results = _import_b_while_a_commits(practice, first, second, monkeypatch)
    assert [results[n].set_statuses for n in ("a.835", "b.835")] == [["posted"], ["posted"]]
    assert practice.balances("PCN1") == ("0.00", "0.00")  # paid once: 80 cash + 20 CO
    with practice.engine.connect() as conn:
        held = conn.execute(select(ReviewItem.problem_code, ReviewItem.amount_cents).where(
            ReviewItem.kind == "unmatched_payment")).all()
    assert [tuple(h) for h in held] == [("DUPLICATE_PAYMENT", 8000)]
    practice.check()
    practice.close()
