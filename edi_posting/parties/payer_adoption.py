"""A provisional payer adopted by the payer the 837s billed.

Before issue 19 was fixed, an 835 none of whose claims matched created a payer under its
TRN03 (N1*PR04, REF*2U, or its N1*PR name) and remembered that identifier: a
*provisional* payer, known by 835 identifiers alone.  Every later payment of that TRN03
then credited it, not the payer the claims were billed to, splitting each claim's balance
between two payers (+X with the billed payer, -X with the provisional one).

The first time a set of such a payer matches claims all billed to one payer, that payer
adopts it: the identifiers, remittances and review items move to it (rows that may be
updated), and the balance the provisional payer holds on any claim moves to the claim's
billed payer by one balanced ``payer_reclass`` entry per claim (journal lines are never
updated).  The provisional payer row stays, its identifier marked adopted so that no 835
finds it again, owning nothing that can still move a claim.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import Connection, func, select, update

from edi_posting.audit.events import record_event
from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode, EntryKind
from edi_posting.db.models import (
    JournalLine,
    Payer,
    PayerAlias,
    Remittance,
    ReviewItem,
    SubmittedClaim,
)
from edi_posting.ledger import journal as ledger
from edi_posting.ledger.journal import EntryDraft, Posting, account_ids
from edi_posting.records.states import AuditOutcome

__all__ = ["LEARNT_KINDS", "adopt_payer"]

# identifiers an 835 gives its payer (``n1_pr_name`` by older versions, from N1*PR02)
LEARNT_KINDS = frozenset({"trn03", "n1_pr", "ref_2u", "n1_pr_name"})
_ALIAS, _REMIT, _ITEM = table_of(PayerAlias), table_of(Remittance), table_of(ReviewItem)
_LINE, _CLAIM, _PAYER = table_of(JournalLine), table_of(SubmittedClaim), table_of(Payer)


def adopt_payer(conn: Connection, found: int, billed: Counter[int], actor: str) -> int:
    """``found`` (by an 835 identifier), or the one payer the set's safe matches were
    billed to when ``found`` is provisional and that payer adopts it."""
    if len(billed) != 1 or found in billed or not is_provisional(conn, found):
        return found
    payer_id = next(iter(billed))
    conn.execute(update(_ALIAS).where(_ALIAS.c.payer_id == found).values(payer_id=payer_id))
    conn.execute(update(_PAYER).where(_PAYER.c.id == found).values(  # found by it no more
        primary_identifier=func.substr(f"adopted:{payer_id}:" + _PAYER.c.primary_identifier,
                                       1, 80)))
    for table in (_REMIT, _ITEM):
        conn.execute(update(table).where(table.c.payer_id == found).values(payer_id=payer_id))
    entries = ledger.write_entries(conn, _reclass_drafts(conn, found, payer_id), actor)
    record_event(conn, actor=actor, action="payer.adopt", outcome=AuditOutcome.OK, object_type="payer",
                 object_id=payer_id, summary={"provisional_payer_id": found,
                                              "reclass_entry_ids": entries})
    return payer_id


def is_provisional(conn: Connection, payer_id: int) -> bool:
    """Known by identifiers an 835 gave alone: no 837 billed it, no 835 forwarded to it."""
    kinds = set(conn.execute(select(_ALIAS.c.alias_kind).where(
        _ALIAS.c.payer_id == payer_id)).scalars())
    return bool(kinds) and kinds <= LEARNT_KINDS


def _reclass_drafts(conn: Connection, provisional: int, adopter: int) -> list[EntryDraft]:
    """Per claim the provisional payer holds a balance on: that balance to the claim's
    billed payer (the adopter for a claim billed to none)."""
    rows = conn.execute(
        select(_LINE.c.submitted_claim_id, _CLAIM.c.payer_id, _CLAIM.c.patient_account_id,
               func.sum(_LINE.c.amount_cents))
        .join(_CLAIM, _CLAIM.c.id == _LINE.c.submitted_claim_id)
        .where(_LINE.c.account_id == account_ids(conn)[AccountCode.INSURANCE_AR],
               _LINE.c.payer_id == provisional)
        .group_by(_LINE.c.submitted_claim_id, _CLAIM.c.payer_id, _CLAIM.c.patient_account_id)
        .order_by(_LINE.c.submitted_claim_id)).all()
    drafts = []
    for claim_id, billed, account_id, cents in rows:
        if not int(cents):
            continue
        dims = {"patient_account_id": account_id, "submitted_claim_id": claim_id}
        target = billed or adopter
        drafts.append(EntryDraft(
            f"payer-reclass:{provisional}:{claim_id}", EntryKind.PAYER_RECLASS, dt.date.today(),
            (Posting(AccountCode.INSURANCE_AR, -int(cents), payer_id=provisional, **dims),
             Posting(AccountCode.INSURANCE_AR, int(cents), payer_id=target, **dims)),
            memo=f"payer {provisional} was payer {adopter} (provisional, adopted): its "
                 f"balance on the claim moves to the claim's payer {target}",
            submitted_claim_id=claim_id))
    return drafts
