"""Our 837 records against another tool's reading of the same corpus files.

The OopFactory X12 parser's claim model (``*.expected.oopfactory-claimmodel-utf16.xml``
beside three corpus 837s) carries the claim, billing provider, subscriber, payer and line
fields we keep too; every field both carry must agree.  The professional sample's expected
model was written for an earlier, four-line version of its input (the file now has seven
lines and modifiers on line 1), so lines are compared by number for the lines it has, and
modifiers only where it reports any.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest

from edi_posting.money import format_cents
from edi_posting.records.claim import SubmittedClaimRecord
from edi_posting.x12.claim837.file import read_claim_file
from tests.corpus_manifest import CORPUS, manifest_rows

NS = "{http://www.oopfactory.com/2011/XSL/Hipaa}"
SUFFIX = "expected.oopfactory-claimmodel-utf16.xml"


def _cases() -> list[tuple[Path, Path]]:
    cases = []
    for row in manifest_rows("837"):
        for output in row["expected_outputs"].split(" | "):
            name = output.split(" <= ")[0].strip()
            if name.endswith(SUFFIX):
                path = CORPUS / row["file"]
                cases.append((path, path.parent / name))
    return cases


CASES = _cases()


def _ours(path: Path) -> list[SubmittedClaimRecord]:
    reads, problems = read_claim_file(path, "0" * 64)
    assert reads, problems
    return [claim for read in reads for claim in read.batch.claims]


def _theirs(expected: Path) -> list[ET.Element]:
    root = ET.fromstring(expected.read_text(encoding="utf-16").split("?>", 1)[1])
    return [root] if root.tag == f"{NS}Claim" else root.findall(f"{NS}Claim")


def _money(text: str) -> str:
    return format_cents(int(Decimal(text) * 100))


def _claim_fields(claim: ET.Element) -> dict[str, object]:
    location = claim.find(f"{NS}ServiceLocationInfo")
    provider = claim.find(f"{NS}BillingInfo/{NS}Provider")
    subscriber = claim.find(f"{NS}Subscriber")
    assert location is not None and provider is not None and subscriber is not None
    name = subscriber.find(f"{NS}Name")
    assert name is not None
    return {
        "pcn": claim.get("PatientControlNumber"),
        "total_charge": _money(claim.get("TotalClaimChargeAmount", "0")),
        "facility_code": location.get("FacilityCode"),
        "frequency_code": location.get("FrequencyTypeCode"),
        "billing_npi": provider.get("Npi"), "billing_tin": provider.get("TaxId"),
        "subscriber": (name.get("LastName"), name.get("FirstName"), subscriber.get("MemberId")),
        "subscriber_birth_date": subscriber.get("DateOfBirth"),
        "subscriber_gender": (subscriber.get("Gender") or "")[:1] or None,
    }


def _our_fields(claim: SubmittedClaimRecord) -> dict[str, object]:
    sub = claim.subscriber
    return {
        "pcn": claim.patient_control_number,
        "total_charge": format_cents(claim.total_charge_cents),
        "facility_code": claim.facility_code, "frequency_code": claim.frequency_code,
        "billing_npi": claim.billing_provider.npi, "billing_tin": claim.billing_provider.tin,
        "subscriber": (sub.last_name, sub.first_name, sub.member_id),
        "subscriber_birth_date": sub.birth_date.isoformat() if sub.birth_date else None,
        "subscriber_gender": sub.gender,
    }


def _their_lines(claim: ET.Element) -> dict[int, dict[str, object]]:
    lines = {}
    for line in claim.findall(f"{NS}ServiceLine"):
        procedure = line.find(f"{NS}Procedure")
        modifiers = tuple(procedure.get(f"Modifier{i}") for i in range(1, 5)
                          if procedure is not None and procedure.get(f"Modifier{i}"))
        lines[int(line.get("LineNumber", "0"))] = {
            "charge": _money(line.get("Charges") or line.get("ChargeAmount") or "0"),
            "units": Decimal(line.get("Quantity", "0")),
            "procedure": procedure.get("ProcedureCode") if procedure is not None else None,
            "revenue_code": line.get("RevenueCode"),
            "modifiers": modifiers or None,
        }
    return lines


def _our_line(line: object, theirs: dict[str, object]) -> dict[str, object]:
    procedure = line.procedure  # type: ignore[attr-defined]
    return {
        "charge": format_cents(line.charge_cents),  # type: ignore[attr-defined]
        "units": Decimal(line.units or "0"),  # type: ignore[attr-defined]
        "procedure": procedure.code if procedure else None,
        "revenue_code": line.revenue_code if theirs["revenue_code"] else None,  # type: ignore[attr-defined]
        "modifiers": (procedure.modifiers or None) if theirs["modifiers"] else None,
    }


def test_the_corpus_carries_the_claim_models_we_compare_with() -> None:
    assert len(CASES) == 3 if (CORPUS / "MANIFEST.tsv").exists() else not CASES


@pytest.mark.parametrize("path,expected", CASES, ids=[p.name for p, _ in CASES])
def test_claim_fields_agree_with_oopfactorys_claim_model(path: Path, expected: Path) -> None:
    ours, theirs = _ours(path), _theirs(expected)
    assert len(ours) == len(theirs)
    for mine, other in zip(ours, theirs):
        assert _our_fields(mine) == _claim_fields(other)


@pytest.mark.parametrize("path,expected", CASES, ids=[p.name for p, _ in CASES])
def test_line_fields_agree_with_oopfactorys_claim_model(path: Path, expected: Path) -> None:
    for mine, other in zip(_ours(path), _theirs(expected)):
        their_lines = _their_lines(other)
        our_lines = {line.line_number: line for line in mine.lines}
        assert their_lines and set(their_lines) <= set(our_lines)
        for number, theirs in their_lines.items():
            assert _our_line(our_lines[number], theirs) == theirs, number
