"""What a claim's balance with a payer is made of, by CAS group: the check behind
``queue transfer --to patient``.

A payer's CO (contractual obligation) adjustment is money the provider agreed not to
collect from anyone: moving it to the patient bills the patient for it.  The 835 says which
amounts are CO; whatever part of them the ledger has not already posted as a contractual
adjustment (a denial posts nothing) still sits in the payer's balance, and only the rest of
that balance may go to the patient.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode
from edi_posting.db.models import Adjustment, ClaimPayment, JournalLine, Remittance
from edi_posting.ledger.journal import account_ids

__all__ = ["contractual_open_cents"]

_ADJ, _CP, _REMIT = table_of(Adjustment), table_of(ClaimPayment), table_of(Remittance)
_LINE = table_of(JournalLine)
CONTRACTUAL_GROUP = "CO"


def contractual_open_cents(conn: Connection, claim_id: int, payer_id: int | None
                           ) -> dict[str, int]:
    """CARC -> the CO amount the payer's 835s gave for the claim and the ledger has not
    posted as a contractual adjustment (only amounts above zero)."""
    sent = conn.execute(
        select(_ADJ.c.reason_code, func.sum(_ADJ.c.amount_cents))
        .join(_CP, _CP.c.id == _ADJ.c.claim_payment_id)
        .join(_REMIT, _REMIT.c.id == _CP.c.remittance_id)
        .where(_CP.c.submitted_claim_id == claim_id, _REMIT.c.payer_id == payer_id,
               _ADJ.c.group_code == CONTRACTUAL_GROUP)
        .group_by(_ADJ.c.reason_code)).all()
    contractual = account_ids(conn)[AccountCode.CONTRACTUAL_ADJUSTMENTS]
    posted = dict(conn.execute(
        select(_LINE.c.reason_code, func.sum(_LINE.c.amount_cents))
        .where(_LINE.c.submitted_claim_id == claim_id, _LINE.c.account_id == contractual)
        .group_by(_LINE.c.reason_code)).all())
    left = {str(carc): int(cents) - int(posted.get(carc) or 0) for carc, cents in sent}
    return {carc: cents for carc, cents in sorted(left.items()) if cents > 0}
