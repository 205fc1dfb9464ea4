"""The `parse` JSON document for 837 files: the same envelope as for an 835, with
``claims`` instead of ``remittances``, each claim with the problems intake would hold it
for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from edi_posting.intake.checks import intake_checks
from edi_posting.money import format_cents
from edi_posting.records.claim import SubmittedClaimRecord, SubmittedLineRecord

__all__ = ["claim_document"]


def claim_document(path: str, schema_version: int) -> dict[str, Any]:
    """The document of one 837 file (``_fatal``: its fatal problems, for a summary line)."""
    # imported here: edi_posting.archive.files brings SQLAlchemy, which `parse` of 835s never needs
    from edi_posting.archive.files import hash_file
    from edi_posting.x12.claim837.file import read_claim_file

    sha256, _size = hash_file(Path(path))
    reads, problems = read_claim_file(Path(path), sha256)
    claims = [_claim(c) for read in reads for c in read.batch.claims]
    all_problems = problems + [p for read in reads for p in read.batch.problems]
    fatal = [p for p in all_problems if p.is_fatal]
    return {
        "schema_version": schema_version,
        "file": path,
        "sha256": sha256,
        "kind": f"837{reads[0].batch.header.claim_type.value}"
        if reads else "837",
        "claims": claims,
        "problems": [p.to_dict() for p in all_problems],
        "rejected": not reads,
        "_fatal": fatal,
    }


def _claim(c: SubmittedClaimRecord) -> dict[str, Any]:
    return {
        "patient_control_number": c.patient_control_number,
        "claim_type": c.claim_type.value,
        "total_charge": format_cents(c.total_charge_cents),
        "frequency_code": c.frequency_code,
        "facility_code": c.facility_code,
        "payer": {"name": c.payer.name, "id": c.payer.payer_id} if c.payer else None,
        "billing_provider": {"name": c.billing_provider.name, "npi": c.billing_provider.npi},
        "subscriber": {"last_name": c.subscriber.last_name, "first_name": c.subscriber.first_name,
                       "member_id": c.subscriber.member_id,
                       "responsibility": c.subscriber.responsibility},
        "patient": {"last_name": c.patient.last_name, "first_name": c.patient.first_name}
        if c.patient else None,
        "original_payer_claim_number": c.original_payer_claim_number,
        "diagnosis_codes": list(c.diagnosis_codes),
        "dates": dict(c.dates),
        "service_lines": [_line(line) for line in c.lines],
        "problems": [p.to_dict() for p in (*c.problems, *intake_checks(c))],
        "source": {"segment_position": c.source.segment_position if c.source else None,
                   "transaction_set_control_number":
                       c.source.transaction_set_control_number if c.source else None},
    }


def _line(line: SubmittedLineRecord) -> dict[str, Any]:
    proc = line.procedure
    return {
        "ordinal": line.ordinal,
        "procedure": {"qualifier": proc.qualifier, "code": proc.code,
                      "modifiers": list(proc.modifiers)} if proc else None,
        "revenue_code": line.revenue_code,
        "charge": format_cents(line.charge_cents),
        "units": line.units,
        "service_date_from": line.service_date_from.isoformat() if line.service_date_from else None,
        "line_item_control_number": line.line_item_control_number,
    }
