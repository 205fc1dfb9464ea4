"""Parse stage, 837: the plain fields a claim's HL levels gathered -> party records.

Consumes the field dictionaries :class:`~edi_posting.x12.claim837.loops.SetParser` fills from
NM1/N3/N4/DMG/REF/SBR/PAT (one per party) and produces the frozen records of
:mod:`edi_posting.records.claim`: billing provider, subscriber, patient, payer, other
payer, address.  A party the claim does not name becomes None (patient, payer) or an empty
record (billing provider, subscriber), never an error: the claim checks say what is missing.
"""

from __future__ import annotations

from edi_posting.records.claim import (
    Address,
    BillingProvider,
    OtherPayer,
    PatientInfo,
    PayerInfo,
    Subscriber,
)

__all__ = ["address", "billing_provider", "other_payer", "patient", "payer", "subscriber"]


def address(fields: dict[str, object]) -> Address:
    return Address(*(fields.get(k) for k in ("line1", "line2", "city", "state", "postal_code")))  # type: ignore[arg-type]


def billing_provider(fields: dict[str, object]) -> BillingProvider:
    npi = fields.get("id") if fields.get("id_qualifier") == "XX" else None
    tin = fields.get("tin") or (fields.get("id") if fields.get("id_qualifier") in ("24", "34") else None)
    return BillingProvider(str(fields.get("last") or ""), npi, tin, address(fields))  # type: ignore[arg-type]


def subscriber(fields: dict[str, object]) -> Subscriber:
    return Subscriber(
        str(fields.get("last") or ""), fields.get("first"), fields.get("middle"),  # type: ignore[arg-type]
        fields.get("id"), fields.get("birth_date"), fields.get("gender"),  # type: ignore[arg-type]
        fields.get("group_number"), fields.get("responsibility"),  # type: ignore[arg-type]
        fields.get("relationship"), address(fields),  # type: ignore[arg-type]
    )


def patient(fields: dict[str, object]) -> PatientInfo | None:
    if not fields.get("last"):
        return None
    return PatientInfo(
        str(fields["last"]), fields.get("first"), fields.get("middle"),  # type: ignore[arg-type]
        fields.get("birth_date"), fields.get("gender"), fields.get("relationship"),  # type: ignore[arg-type]
        address(fields),
    )


def payer(fields: dict[str, object]) -> PayerInfo | None:
    if not fields.get("last") and not fields.get("id"):
        return None
    return PayerInfo(str(fields.get("last") or ""), fields.get("id"))  # type: ignore[arg-type]


def other_payer(fields: dict[str, object]) -> OtherPayer:
    return OtherPayer(
        fields.get("responsibility"), fields.get("payer_name"), fields.get("payer_id"),  # type: ignore[arg-type]
        fields.get("paid_cents"),  # type: ignore[arg-type]
        tuple(fields.get("claim_adjustments") or ()),  # type: ignore[arg-type]
        fields.get("payer_claim_number"),  # type: ignore[arg-type]
    )
