"""The 835 claim payments that adjudicated one billed claim (``claim show``): paid,
denied (a denial posts nothing, so only these rows show it), reversed, held; each with its
remittance's trace, date and payer and its CAS/RARCs, claim level and per service line, in
the shapes :func:`edi_posting.codes.describe.describe_evidence` describes
(``group``/``carc``, ``rarcs``, ``claim_rarcs``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from edi_posting.db.base import table_of
from edi_posting.db.models import (
    Adjustment,
    ClaimPayment,
    Payer,
    ReceivedFile,
    RemarkCode,
    Remittance,
    ServiceLinePayment,
)
from edi_posting.keyed.template import KEYED_KIND
from edi_posting.money import format_cents
from edi_posting.parties.identity import normalize_pcn

__all__ = ["claim_payment_rows"]

_REMIT, _CP = table_of(Remittance), table_of(ClaimPayment)
_SVC, _CAS, _RARC = table_of(ServiceLinePayment), table_of(Adjustment), table_of(RemarkCode)


def claim_payment_rows(conn: Connection, submitted_claim_id: int, pcn: str
                       ) -> list[dict[str, Any]]:
    """The claim payments matched to a claim (denials and reversals too), and those of its
    PCN held unlinked (``linked`` False: a duplicate payment, an unmatched one), oldest
    first, each with its remittance's trace and date and its CAS/RARCs, claim level and per
    line.  ``pcn`` as billed; the held ones are looked up by it (indexed) as sent or
    normalized, so a payer's case change is found too."""
    unlinked = and_(_CP.c.submitted_claim_id.is_(None),
                    _CP.c.patient_control_number.in_(sorted({pcn, normalize_pcn(pcn)})))
    rows = conn.execute(
        select(_CP, _REMIT.c.trace_number, _REMIT.c.payment_date, _REMIT.c.payment_method,
               Payer.name.label("payer_name"), ReceivedFile.file_name,
               ReceivedFile.kind.label("file_kind"), ReceivedFile.received_by)
        .join(_REMIT, _REMIT.c.id == _CP.c.remittance_id)
        .outerjoin(Payer, Payer.id == _REMIT.c.payer_id)
        .outerjoin(ReceivedFile, ReceivedFile.id == _CP.c.source_file_id)
        .where(or_(_CP.c.submitted_claim_id == submitted_claim_id, unlinked))
        .order_by(_CP.c.id)).all()
    codes = _codes_by_payment(conn, [p.id for p in rows])
    lines = _lines_by_payment(conn, [p.id for p in rows], codes)
    return [_adjudication(p, codes.get((p.id, None), ([], [])), lines.get(p.id, []))
            for p in rows]


def _adjudication(p: Any, claim_codes: tuple[list[dict[str, Any]], list[str]],
                  lines: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "claim_payment_id": p.id, "remittance_id": p.remittance_id,
        "trace_number": p.trace_number, "payment_date": _iso(p.payment_date),
        "method": p.payment_method, "payer": p.payer_name, "status_code": p.status_code,
        "charge": format_cents(p.charge_cents), "paid": format_cents(p.paid_cents),
        "patient": format_cents(p.patient_responsibility_cents or 0),
        "payer_claim_number": p.payer_claim_control_number, "posting_state": p.posting_state,
        "linked": p.submitted_claim_id is not None,
        "match_method": p.match_method, "source_file": p.file_name,
        "source_segment": p.source_segment,  # a keyed EOB's row
        "keyed_by": p.received_by if p.file_kind == KEYED_KIND else None,
        "adjustments": claim_codes[0], "claim_rarcs": claim_codes[1], "lines": lines,
    }


_Codes = dict[tuple[int, int | None], tuple[list[dict[str, Any]], list[str]]]


def _codes_by_payment(conn: Connection, payment_ids: list[int]) -> _Codes:
    """(claim payment, line or None) -> (its CAS as group/carc/amount, its RARCs)."""
    found: _Codes = defaultdict(lambda: ([], []))
    if not payment_ids:
        return found
    for a in conn.execute(select(_CAS).where(_CAS.c.claim_payment_id.in_(payment_ids))
                          .order_by(_CAS.c.claim_payment_id, _CAS.c.ordinal)):
        found[(a.claim_payment_id, a.service_line_payment_id)][0].append(
            {"group": a.group_code, "carc": a.reason_code, "amount": format_cents(a.amount_cents)})
    for m in conn.execute(select(_RARC).where(_RARC.c.claim_payment_id.in_(payment_ids))
                          .order_by(_RARC.c.claim_payment_id, _RARC.c.ordinal)):
        if m.qualifier in (None, "HE"):  # LQ*RX is a pharmacy code, not a RARC
            found[(m.claim_payment_id, m.service_line_payment_id)][1].append(m.code)
    return found


def _lines_by_payment(conn: Connection, payment_ids: list[int], codes: _Codes
                      ) -> dict[int, list[dict[str, Any]]]:
    lines: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not payment_ids:
        return lines
    for s in conn.execute(select(_SVC).where(_SVC.c.claim_payment_id.in_(payment_ids))
                          .order_by(_SVC.c.claim_payment_id, _SVC.c.ordinal)):
        adjustments, rarcs = codes.get((s.claim_payment_id, s.id), ([], []))
        lines[s.claim_payment_id].append({
            "ordinal": s.ordinal,
            "procedure": ":".join(p for p in (s.procedure_qualifier, s.procedure_code,
                                              s.modifier1, s.modifier2) if p),
            "charge": format_cents(s.charge_cents), "paid": format_cents(s.paid_cents),
            "service_date": _iso(s.service_date_from), "adjustments": adjustments,
            "rarcs": rarcs})
    return lines


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
