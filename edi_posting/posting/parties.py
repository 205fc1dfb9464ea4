"""Who sent and who receives an 835: the payer (by any identifier it was seen with) and
the payee provider (N1*PE NPI or TIN).

An 835 rarely names its payer the way the 837 did (NM1*PR payer ID): it carries TRN03
(1 + EIN), sometimes REF*2U or N1*PR04.  So a payer is found by those aliases; failing
that, by the payer the set's safely matched claims were billed to (the aliases are
learnt, so the next file is found directly, and the earlier sets of that TRN03 that
matched nothing are attributed to it).  A set none of whose claims matches and whose
identifiers are new has no payer yet: creating one under its TRN03 would split the payer
the 837s know in two, every later payment crediting a payer the claims were never billed
to.  Payers that an older version created that way (provisional: known by 835
identifiers alone) are adopted by the billed payer the first time a set of theirs
matches (:mod:`edi_posting.parties.payer_adoption`).  Whatever the set's payer, a claim's money
(and a PLB recovery linked to the claim) goes to the set's payer only when that payer
holds a balance on the claim, else to the claim's billed payer: a payer sharing its
TRN03 with another payer ID never opens a negative balance beside it.
Nothing here guesses a payee: an unknown one is a review item.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, insert, or_, select, tuple_, update

from edi_posting.db.base import table_of
from edi_posting.db.bulk import in_chunks
from edi_posting.db.ledger import AccountCode
from edi_posting.db.lists import among, unindexed
from edi_posting.db.models import (
    JournalLine,
    Payer,
    PayerAlias,
    Provider,
    Remittance,
    ReviewItem,
    SubmittedClaim,
)
from edi_posting.ledger.journal import account_ids
from edi_posting.matching.records import ClaimMatch
from edi_posting.parties.identity import find_or_create_payer
from edi_posting.parties.payer_adoption import adopt_payer
from edi_posting.posting.facts import crossover_payer
from edi_posting.records.remittance import ClaimPaymentRecord, RemittanceHeader

__all__ = ["ClaimPayers", "claim_payers", "crossover_payer_id", "find_payee", "find_payer", "learn_payer",
           "linked_claim_payers", "payer_aliases", "settle_payers"]

_ALIAS, _PAYER, _PROVIDER = table_of(PayerAlias), table_of(Payer), table_of(Provider)
_REMIT, _ITEM = table_of(Remittance), table_of(ReviewItem)
_LINE, _CLAIM = table_of(JournalLine), table_of(SubmittedClaim)


def payer_aliases(header: RemittanceHeader) -> list[tuple[str, str]]:
    """(kind, value) identifiers of the payer, most specific first."""
    found: list[tuple[str, str]] = []
    payer = header.payer
    if payer is not None:
        found += [("ref_2u", r.value.strip()) for r in payer.references
                  if r.qualifier == "2U" and r.value.strip()]
        if payer.identifier and payer.identifier.strip():
            found.append(("n1_pr", payer.identifier.strip()))
    if header.trace is not None and header.trace.originator_id:
        found.append(("trn03", header.trace.originator_id.strip()))
    return found


def find_payer(conn: Connection, header: RemittanceHeader) -> int | None:
    aliases = payer_aliases(header)
    if not aliases:
        return None
    rows = conn.execute(
        select(_ALIAS.c.alias_kind, _ALIAS.c.alias_value, _ALIAS.c.payer_id)
        .where(tuple_(_ALIAS.c.alias_kind, _ALIAS.c.alias_value).in_(aliases))
    ).all()
    known = {(kind, value): payer for kind, value, payer in rows}
    for alias in aliases:
        if alias in known:
            return int(known[alias])
    by_primary = conn.execute(
        select(_PAYER.c.id).where(_PAYER.c.primary_identifier.in_([v for _, v in aliases]))
        .order_by(_PAYER.c.id)
    ).scalar()
    return int(by_primary) if by_primary is not None else None


@dataclass(frozen=True, slots=True)
class ClaimPayers:
    """Whose insurance receivable a claim payment of the set moves (see
    :func:`claim_payers`): the set's payer, or the billed payer of a claim it holds no
    balance on."""

    set_payer: int | None
    holding: frozenset[int]  # claims on which the set's payer holds (or held) a balance

    def of(self, match: ClaimMatch | None) -> int | None:
        billed = _billed(match)
        if billed is None or billed[1] == self.set_payer or billed[0] in self.holding:
            return self.set_payer
        return billed[1]


def settle_payers(conn: Connection, header: RemittanceHeader, found: int | None,
                  matches: Sequence[ClaimMatch | None], actor: str) -> ClaimPayers:
    """The set's payer (``found`` by an identifier, else learnt from its matches; a
    provisional one adopted by its billed payer) and the payer of each claim's money."""
    payer_id = learn_payer(conn, header, matches) if found is None else adopt_payer(
        conn, found, _billed_payers(matches), actor)
    return claim_payers(conn, payer_id, matches)


def learn_payer(conn: Connection, header: RemittanceHeader,
                matches: Sequence[ClaimMatch | None]) -> int | None:
    """The payer of an 835 no alias names: the one its safely matched claims were billed
    to (aliases recorded, earlier sets of its TRN03 attributed); None when nothing of the
    set matched, so no payer is invented beside the billed one."""
    payer_id = _billed_payer(matches)
    if payer_id is None:
        return None
    aliases = payer_aliases(header)
    existing = set(conn.execute(
        select(_ALIAS.c.alias_kind, _ALIAS.c.alias_value)
        .where(tuple_(_ALIAS.c.alias_kind, _ALIAS.c.alias_value).in_(aliases))).all()
    ) if aliases else set()
    fresh = [a for a in aliases if tuple(a) not in existing]
    if fresh:
        conn.execute(insert(_ALIAS), [{"payer_id": payer_id, "alias_kind": kind,
                                       "alias_value": value} for kind, value in fresh])
    _attribute_unknown(conn, header, payer_id)
    return payer_id


def claim_payers(conn: Connection, set_payer: int | None,
                 matches: Sequence[ClaimMatch | None]) -> ClaimPayers:
    """The payer whose insurance receivable each claim payment of the set moves: the set's
    payer when it holds (or held) a balance on the claim, else the claim's billed payer,
    so a payer sharing its TRN03 with another never opens a negative balance beside it."""
    billed = [b for b in map(_billed, matches) if b is not None and b[1] != set_payer]
    return ClaimPayers(set_payer, frozenset(_holding(conn, set_payer, {b[0] for b in billed})))


def linked_claim_payers(conn: Connection, set_payer: int | None,
                        claim_ids: Iterable[int | None]) -> dict[int | None, int | None]:
    """The payer each PLB linked to a claim moves (a recovery takes back what that payer
    overpaid): as :func:`claim_payers`, the set's payer when it holds a balance on the
    claim, else the claim's billed payer; ``None`` (no claim): the set's payer.  Two
    queries for the whole set's PLB."""
    wanted = sorted({c for c in claim_ids if c is not None})
    billed = dict(conn.execute(select(_CLAIM.c.id, _CLAIM.c.payer_id)
                               .where(among(_CLAIM.c.id, wanted))).all()) if wanted else {}
    other = {c for c, payer in billed.items() if payer is not None and payer != set_payer}
    holds = _holding(conn, set_payer, other)
    found: dict[int | None, int | None] = {None: set_payer}
    for claim_id in wanted:
        found[claim_id] = set_payer
    for claim_id in other - holds:
        found[claim_id] = int(billed[claim_id])
    return found


def _holding(conn: Connection, payer_id: int | None, claim_ids: set[int]) -> set[int]:
    """Those of ``claim_ids`` on which the payer holds (or held) an insurance balance."""
    if payer_id is None or not claim_ids:
        return set()
    return set(conn.execute(
        select(_LINE.c.submitted_claim_id).distinct()
        .where(unindexed(_LINE.c.account_id) == account_ids(conn)[AccountCode.INSURANCE_AR],
               _LINE.c.payer_id == payer_id,
               among(_LINE.c.submitted_claim_id, sorted(claim_ids)))).scalars())


def _billed(match: ClaimMatch | None) -> tuple[int, int] | None:
    """(claim id, billed payer id) of a safe match to a claim billed to a payer."""
    if match is None or not match.is_safe or match.claim is None or not match.claim.payer_id:
        return None
    return match.claim.claim_id, match.claim.payer_id


def _billed_payers(matches: Sequence[ClaimMatch | None]) -> Counter[int]:
    return Counter(b[1] for b in map(_billed, matches) if b is not None)


def _billed_payer(matches: Sequence[ClaimMatch | None]) -> int | None:
    billed = _billed_payers(matches)
    return int(billed.most_common(1)[0][0]) if billed else None


def _attribute_unknown(conn: Connection, header: RemittanceHeader, payer_id: int) -> None:
    """Earlier sets of this TRN03 that had no payer (nothing of them matched) are this
    payer's: their remittances and review items say so now.  Their journal lines keep no
    payer (unapplied cash is not kept per payer), so the ledger is not touched."""
    trn03 = header.trace.originator_id.strip() if header.trace and \
        header.trace.originator_id else ""
    if not trn03:
        return
    ids = list(conn.execute(select(_REMIT.c.id).where(
        _REMIT.c.payer_id.is_(None), _REMIT.c.trace_originator == trn03)).scalars())
    for chunk in in_chunks(ids):
        conn.execute(update(_REMIT).where(among(_REMIT.c.id, chunk)).values(payer_id=payer_id))
        conn.execute(update(_ITEM).where(among(_ITEM.c.remittance_id, chunk),
                                         _ITEM.c.payer_id.is_(None)).values(payer_id=payer_id))


def crossover_payer_id(conn: Connection, claim: ClaimPaymentRecord,
                       known: dict[tuple[str, str], int | None]) -> int | None:
    """The crossover payer (NM1*TT), looked up once per set (``known``): a payer's file
    names the same few crossover payers on thousands of claims."""
    crossover = crossover_payer(claim)
    if not crossover:
        return None
    if crossover not in known:
        known[crossover] = find_or_create_payer(conn, "nm1_tt", *crossover)
    return known[crossover]


def find_payee(conn: Connection, header: RemittanceHeader) -> int | None:
    """The provider N1*PE names by NPI (XX) or TIN (FI); None when unknown."""
    payee = header.payee
    if payee is None or not payee.identifier:
        return None
    identifier = payee.identifier.strip()
    tin_refs = [r.value.strip() for r in payee.references if r.qualifier == "TJ"]
    conditions = []
    if payee.id_qualifier == "XX":
        conditions.append(_PROVIDER.c.npi == identifier)
    elif payee.id_qualifier == "FI":
        conditions.append(_PROVIDER.c.tin == identifier)
    else:
        conditions.append(_PROVIDER.c.npi == identifier)
    if tin_refs:
        conditions.append(_PROVIDER.c.tin.in_(tin_refs))
    found = conn.execute(
        select(_PROVIDER.c.id).where(or_(*conditions)).order_by(_PROVIDER.c.id)
    ).scalar()
    return int(found) if found is not None else None
