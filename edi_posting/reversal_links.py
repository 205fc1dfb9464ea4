"""Reversals matched by the payment they reverse when their CLP01 finds no claim.

A payment whose PCN named no claim sits in unapplied cash until a specialist applies it
to the right claim; the payer, unaware, reverses it later under the same wrong PCN.  Its
CLP07 still names the payment we applied, and through it the claim: the reversal then
negates what was applied instead of becoming one more orphan for the queue.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import Connection, select

from edi_posting.db.base import table_of
from edi_posting.db.lists import among
from edi_posting.db.models import ClaimPayment, SubmittedClaim
from edi_posting.match_records import ClaimLookup, ClaimMatch, MatchMethod
from edi_posting.records.remittance import ClaimPayment as ClaimPaymentRecord

__all__ = ["match_reversals_by_payer_claim_number"]

_CP, _CLAIM = table_of(ClaimPayment), table_of(SubmittedClaim)


def match_reversals_by_payer_claim_number(
    conn: Connection, claims: Sequence[ClaimPaymentRecord], matches: Sequence[ClaimMatch],
    lookup: ClaimLookup,
) -> list[ClaimMatch]:
    """``matches`` with each unmatched reversal whose CLP07 names exactly one claim's
    payment matched to that claim (two queries per set, none when nothing is wanted)."""
    wanted = {i: c.payer_claim_control_number for i, (c, m) in enumerate(zip(claims, matches))
              if c.is_reversal and m.claim_id is None and c.payer_claim_control_number}
    if not wanted:
        return list(matches)
    paid: dict[str, set[int]] = defaultdict(set)
    for icn, claim_id in conn.execute(
        select(_CP.c.payer_claim_control_number, _CP.c.submitted_claim_id)
        .where(among(_CP.c.payer_claim_control_number, sorted(set(wanted.values()))),
               _CP.c.status_code != "22", _CP.c.submitted_claim_id.is_not(None))
    ):
        paid[icn].add(claim_id)
    claim_ids = sorted({next(iter(ids)) for ids in paid.values() if len(ids) == 1})
    if not claim_ids:
        return list(matches)
    pcns = dict(conn.execute(select(_CLAIM.c.id, _CLAIM.c.pcn_normalized)
                             .where(among(_CLAIM.c.id, claim_ids))).all())
    found = {c.claim_id: c for cs in lookup.by_pcns(sorted(set(pcns.values()))).values()
             for c in cs}
    result = list(matches)
    for i, icn in wanted.items():
        ids = paid.get(icn, set())
        claim = found.get(next(iter(ids))) if len(ids) == 1 else None
        if claim is None:
            continue
        result[i] = ClaimMatch(
            claim.claim_id, MatchMethod.PAYER_CLAIM_NUMBER, (), claim.status == "active",
            f"CLP07 {icn} names a payment applied to claim {claim.pcn}", claim)
    return result
