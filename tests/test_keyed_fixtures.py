"""The filled keyed-EOB examples in ``fixtures/eob`` post on the demo day (README "Keyed
paper EOBs"): after `edi-posting demo`, the crossover payer's paper EOBs (its 835 is not
in the demo) pay the forwarded claims' remaining insurance balances, one keyed by payer
name in CSV, the other by payer ID in JSON."""

from __future__ import annotations

from pathlib import Path

import edi_posting
from edi_posting.records.states import FileStatus

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "eob"


def test_the_fixture_eobs_pay_the_forwarded_claims_of_the_demo_day(database_url: str) -> None:
    session = edi_posting.open_session(database_url, actor="keyer")
    edi_posting.import_demo(session)
    result = edi_posting.import_files(session, [FIXTURES])
    assert [(Path(f.path).name, f.kind, f.status, f.claims, f.posted, f.queued)
            for f in result.files] == [
        ("blue-meadow-2025-03-28.csv", "eob", FileStatus.IMPORTED, 2, 2, 0),
        ("blue-meadow-2025-04-04.json", "eob", FileStatus.IMPORTED, 2, 2, 0)]
    assert result.totals()["payment_total"] == "158.10"
    balances = {pcn: (claim["balances"]["insurance"], claim["balances"]["patient"])
                for pcn in ("A85885C0000001", "A16412C0000008", "A86445C0000033",
                            "A68180C0000036")
                for claim in [edi_posting.show_claim(session, pcn)]}
    assert balances == {"A85885C0000001": ("0.00", "0.00"), "A16412C0000008": ("0.00", "5.00"),
                        "A86445C0000033": ("0.00", "0.00"), "A68180C0000036": ("0.00", "0.00")}
    assert edi_posting.check_ledger(session).violations == []
    again = edi_posting.import_files(session, [FIXTURES])
    assert {f.status for f in again.files} == {FileStatus.ALREADY_IMPORTED}
