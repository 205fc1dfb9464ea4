"""The seeded generator: deterministic, parseable, balanced, and its expectations tie.

The 835 checks here split segments themselves (no dependency on the 835 parser), so a bug
in the generator and a bug in the parser cannot hide each other.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi_posting.cli import main
from edi_posting.testdata.generator import GeneratorError, Separators, generate, parse_mix
from edi_posting.x12.claim837.file import read_claim_file

# Every scenario weighted up so a few hundred claims cover each of them several times.
RICH_MIX = {"paid": 4, "contractual": 6, "denied": 2, "creative_denial": 2, "secondary": 2,
            "forwarded": 2, "reversal": 2, "reversal_later": 2, "orphan_reversal": 1, "split": 2,
            "recoded": 2, "modifier_dropped": 2, "truncated_pcn": 2, "overpaid": 2, "interest": 2,
            "plb_cs": 1, "unknown_pcn": 1}


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rich")
    generate(out, 400, seed=11, payers=3, mix=RICH_MIX)
    return out


def _expected(out: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((out / "expected.json").read_text())


def _cents(text: str) -> int:
    value = Decimal(text) * 100
    assert value == value.to_integral_value(), text
    return int(value)


def _interchange(path: Path) -> tuple[str, list[list[str]]]:
    """(raw ISA text, segments split into elements) using the separators of the ISA."""
    text = path.read_bytes().decode("ascii")
    element, terminator = text[3], text[105]
    segments = [s.strip("\r\n") for s in text.split(terminator)]
    return text[:106], [s.split(element) for s in segments if s]


def _files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_same_seed_writes_byte_identical_files_and_another_seed_differs(tmp_path: Path) -> None:
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        generate(tmp_path / name, 120, seed=seed)
    first, second, other = (_files(tmp_path / n) for n in "abc")
    assert first == second
    assert first != other


def test_output_does_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    """Set iteration order changes with PYTHONHASHSEED; the files must not."""
    script = ("import sys; from pathlib import Path; from edi_posting.testdata.generator import generate; "
              "generate(Path(sys.argv[1]), 40, seed=9)")
    for name in ("1", "2"):
        subprocess.run([sys.executable, "-c", script, str(tmp_path / name)], check=True,
                       env={**os.environ, "PYTHONHASHSEED": name})
    assert _files(tmp_path / "1") == _files(tmp_path / "2")


def test_every_837_parses_into_exactly_the_claims_intended(rich: Path) -> None:
    expected = _expected(rich)["claims"]
    seen: dict[str, int] = {}
    kinds = Counter[str]()
    for path in sorted((rich / "837").glob("*.837")):
        reads, problems = read_claim_file(path, "0" * 64)
        assert problems == []
        assert len(reads) >= 1
        for read in reads:
            assert read.batch.problems == ()
            for claim in read.batch.claims:
                assert claim.problems == (), claim.problems
                assert claim.patient_control_number not in seen
                assert len(claim.patient_control_number) <= 20
                assert claim.total_charge_cents == sum(ln.charge_cents for ln in claim.lines)
                assert all(ln.line_item_control_number for ln in claim.lines)
                assert claim.billing_provider.npi and claim.subscriber.member_id
                seen[claim.patient_control_number] = claim.total_charge_cents
                kinds[claim.claim_type.value] += 1
    assert len(seen) == 400
    assert seen == {pcn: _cents(entry["charge"]) for pcn, entry in expected.items()}
    assert len(kinds) == 2  # professional and institutional claims both present


def _check_set(st: list[list[str]]) -> tuple[int, Counter[str]]:
    """Balance one 835 set; returns (claims that do not balance, facts seen)."""
    facts = Counter[str]()
    bpr = _cents(st[1][2])
    clp_total, plb_total, interest, l6 = 0, 0, 0, 0
    bad_claims, claim, line = 0, None, None

    def close_line() -> None:
        nonlocal line
        if line is not None:
            assert line[0] - line[2] == line[1], f"service line does not balance: {line}"
            claim[2] += line[2]  # type: ignore[index]
        line = None

    def close_claim() -> None:
        nonlocal claim, bad_claims
        close_line()
        if claim is not None and claim[0] - claim[2] != claim[1]:
            bad_claims += 1
        claim = None

    for seg in st[1:-1]:
        tag = seg[0]
        facts[tag] += 1
        if tag == "CLP":
            close_claim()
            claim = [_cents(seg[3]), _cents(seg[4]), 0]  # charge, paid, sum of CAS
            clp_total += claim[1]
            facts[f"CLP02={seg[2]}"] += 1
        elif tag == "SVC":
            close_line()
            line = [_cents(seg[2]), _cents(seg[3]), 0]
            facts["SVC06"] += len(seg) > 6 and bool(seg[6])
        elif tag == "CAS":
            amount = sum(_cents(seg[i]) for i in range(3, len(seg), 3) if seg[i])
            if line is not None:
                line[2] += amount
            else:
                claim[2] += amount  # type: ignore[index]
        elif tag == "AMT" and seg[1] == "I":
            interest += _cents(seg[2])
        elif tag == "PLB":
            close_claim()
            for i in range(3, len(seg), 2):
                plb_total += _cents(seg[i + 1])
                l6 += _cents(seg[i + 1]) if seg[i].startswith("L6") else 0
                facts[f"PLB:{seg[i][:2]}"] += 1
        elif tag in ("NM1", "MOA", "BPR"):
            facts[f"{tag}*{seg[1] if tag == 'NM1' else seg[3] if tag == 'MOA' else seg[4]}"] += 1
    close_claim()
    assert bpr == clp_total - plb_total, "BPR02 != sum(CLP04) - sum(PLB)"
    assert bpr >= 0 and (bpr > 0) == (st[1][4] != "NON")
    assert interest == -l6, "sum(AMT*I) must equal the (negative) PLB L6"
    return bad_claims, facts


def test_every_835_balances_at_service_claim_and_transaction_level(rich: Path) -> None:
    expected = _expected(rich)
    duplicates = {d["file"] for d in expected["files"]["duplicates"]}
    unbalanced, facts, traces, isa13 = 0, Counter[str](), set(), set()
    for path in sorted((rich / "835").glob("*.835")):
        isa, segments = _interchange(path)
        assert len(isa) == 106 and isa[82:83] == "^" and isa[104] == ":"
        isa13.add(segments[0][13])
        assert segments[-1] == ["IEA", "1", segments[0][13]]
        assert segments[1][0] == "GS" and segments[1][1] == "HP"
        assert segments[1][8] == "005010X221A1" and segments[-2][2] == segments[1][6]
        starts = [i for i, s in enumerate(segments) if s[0] == "ST"]
        assert int(segments[-2][1]) == len(starts) >= 1
        for start in starts:
            end = next(i for i in range(start, len(segments)) if segments[i][0] == "SE")
            st = segments[start:end + 1]
            assert int(st[-1][1]) == len(st) and st[-1][2] == st[0][2]
            bad, seen = _check_set(st)
            if path.name not in duplicates:
                unbalanced += bad
                facts += seen
                trace = next(s for s in st if s[0] == "TRN")[2]
                assert trace not in traces
                traces.add(trace)
    assert len(isa13) == len(list((rich / "835").glob("*.835")))
    assert unbalanced == expected["review_counts"]["balancing_failure"] == 1
    for fact in ("CLP02=1", "CLP02=2", "CLP02=4", "CLP02=19", "CLP02=22", "NM1*TT", "MOA*MA15",
                 "MOA*MA18", "SVC06", "PLB:WO", "PLB:FB", "PLB:L6", "PLB:CS", "BPR*NON",
                 "BPR*ACH", "BPR*CHK"):
        assert facts[fact] > 0, fact
    assert expected["totals"]["claim_payments"] == facts["CLP"]
    assert len(traces) == expected["totals"]["remittances"]


def test_resent_835_differs_only_in_its_interchange_control_number(rich: Path) -> None:
    (duplicate,) = _expected(rich)["files"]["duplicates"]
    original = (rich / "835" / duplicate["duplicate_of"]).read_text()
    resent = (rich / "835" / duplicate["file"]).read_text()
    old, new = original[90:99], resent[90:99]
    assert old != new and resent == original.replace(old, new)


def test_expected_totals_tie_and_every_claim_has_an_outcome(rich: Path) -> None:
    expected = _expected(rich)
    totals = {k: _cents(v) for k, v in expected["totals"].items() if isinstance(v, str)}
    claims = expected["claims"]
    assert totals["charges"] == sum(_cents(c["charge"]) for c in claims.values())
    assert totals["insurance_balance"] == sum(_cents(c["insurance_balance"]) for c in claims.values())
    assert totals["patient_balance"] == sum(_cents(c["patient_balance"]) for c in claims.values())
    assert totals["charges"] == (totals["payments"]
                                 + totals["contractual_adjustments"]
                                 + totals["other_adjustments"] + totals["insurance_balance"]
                                 + totals["patient_balance"])
    assert totals["remitted"] == (totals["payments"] + totals["unapplied_cash"]
                                  + totals["recouped"] - totals["plb_net"])
    assert totals["remitted"] == sum(_cents(r["amount"]) for r in expected["remittances"])
    by_scenario = {c["scenario"]: c for c in claims.values()}
    denied = by_scenario["denied"]
    assert denied["review"] == ["denial"] and denied["insurance_balance"] == denied["charge"]
    assert _cents(by_scenario["overpaid"]["insurance_balance"]) == 0  # paid twice: held once
    assert by_scenario["overpaid"]["review"] == ["unmatched_payment"]
    assert by_scenario["reversal_later"]["review"] == ["awaiting_correction"]
    assert by_scenario["unbalanced"]["review"] == ["balancing_failure"]
    assert expected["unmatched_payments"] and expected["review_counts"]["unlinked_plb"] == 1
    assert any(p["reason"] == "WO" and p["claim"] for p in expected["plb"])


def test_separators_and_line_breaks_are_configurable(tmp_path: Path) -> None:
    for name, seps, join in (("crlf", Separators("|", "'", "\r\n"), "'\r\n"),
                             ("none", Separators("!", "~", ""), "~")):
        generate(tmp_path / name, 30, seed=3, separators=seps)
        for path in sorted((tmp_path / name).glob("83*/*")):
            text = path.read_bytes().decode("ascii")
            assert text[3] == seps.element and text[104:106] == ":" + seps.segment
            assert text.endswith(join) and text.count(join) == text.count(seps.segment)
            assert ("\n" in text) == bool(seps.line_break)
        claims = sum(len(r.batch.claims) for p in sorted((tmp_path / name / "837").iterdir())
                     for r in read_claim_file(p, "0" * 64)[0])
        assert claims == 30


def test_clashing_separators_and_bad_mixes_are_refused(tmp_path: Path) -> None:
    with pytest.raises(GeneratorError):
        generate(tmp_path / "x", 5, separators=Separators(":", "~"))
    with pytest.raises(GeneratorError):
        parse_mix("paid=1,nonsense=2")
    assert parse_mix("paid=60, denied=5,unbalanced=0") == {"paid": 60, "denied": 5, "unbalanced": 0}


def test_bank_files_carry_right_bai2_control_totals(rich: Path) -> None:
    deposits = _expected(rich)["deposits"]
    records = [line.rstrip("/").split(",") for line in
               (rich / "bank" / "deposits.bai").read_text().splitlines()]
    kinds = [r[0] for r in records]
    assert kinds[:3] == ["01", "02", "03"] and kinds[-3:] == ["49", "98", "99"]
    details = [int(r[2]) for r in records if r[0] == "16"]
    summary = int(records[2][4])
    assert summary == sum(details) == _cents(deposits["total"])
    assert len(details) == deposits["count"] == int(records[2][5])
    assert int(records[-3][1]) == summary + sum(details) and int(records[-3][2]) == len(details) + 2
    assert int(records[-2][1]) == int(records[-3][1]) and int(records[-2][3]) == len(details) + 4
    assert int(records[-1][1]) == int(records[-2][1]) and int(records[-1][3]) == len(records)
    rows = (rich / "bank" / "deposits.csv").read_text().splitlines()
    assert rows[0] == "date,amount,reference,description" and len(rows) == deposits["count"] + 1
    assert deposits["missing"] and len(deposits["extra"]) == 2 and deposits["bulk"]
    references = {row.split(",")[2] for row in rows[1:]}
    assert not references & {m["trace"] for m in deposits["missing"]}
    assert not references & set(deposits["bulk"][0]["traces"])


def test_cli_prints_a_json_summary_only_when_asked(tmp_path: Path) -> None:
    runner = CliRunner()
    quiet = runner.invoke(main, ["generate", "--claims", "12", "--out", str(tmp_path / "q")])
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stdout == "" and "generated 12 claims" in quiet.stderr
    loud = runner.invoke(main, ["generate", "--claims", "12", "--seed", "2", "--format", "json",
                                "--out", str(tmp_path / "j")],
                         env={"EDI_POSTING_SCENARIO_MIX": "paid=1,denied=1"})
    assert loud.exit_code == 0, loud.output
    summary = json.loads(loud.stdout)
    assert summary["claims"] == 12 and summary["files"]["837"] >= 1
    assert {c["scenario"] for c in _expected(tmp_path / "j")["claims"].values()} <= {
        "paid", "denied", "unbalanced"}
    again = runner.invoke(main, ["generate", "--claims", "3", "--out", str(tmp_path / "j")])
    assert again.exit_code == 2 and "not empty" in again.stderr


def test_a_small_sample_validates_with_pyx12(tmp_path: Path) -> None:
    validation = pytest.importorskip("edi_posting.x12.validation.validator")
    # MA15 (the split scenario) is checked against our code lists, not pyx12's dated table
    generate(tmp_path, 40, seed=4, mix=RICH_MIX)
    remits = sorted((tmp_path / "835").iterdir())
    assert any("MA15" in p.read_text() for p in remits)
    for path in sorted((tmp_path / "837").iterdir())[:2] + remits:
        result = validation.validate_path(path)
        assert result.is_valid, (path.name, result.problems)
