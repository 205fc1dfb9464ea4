"""Who sent and who receives an 835: the payer (by any identifier it was seen with) and
the payee provider (N1*PE NPI or TIN).

An 835 rarely names its payer the way the 837 did (NM1*PR payer ID): it carries TRN03
(1 + EIN), sometimes REF*2U or N1*PR04.  So a payer is found by those aliases; failing
that, by the payer the set's safely matched claims were billed to (and the aliases are
learnt, so the next file is found directly); failing that, a payer is created under the
TRN03 it sent.  Nothing here guesses a payee: an unknown one is a review item.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlalchemy import Connection, insert, or_, select, tuple_

from edi_posting.db.base import table_of
from edi_posting.db.models import Payer, PayerAlias, Provider
from edi_posting.identity import find_or_create_payer
from edi_posting.matching import ClaimMatch
from edi_posting.records.remittance import RemittanceHeader

__all__ = ["find_payee", "find_payer", "learn_payer", "payer_aliases"]

_ALIAS, _PAYER, _PROVIDER = table_of(PayerAlias), table_of(Payer), table_of(Provider)


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


def learn_payer(conn: Connection, header: RemittanceHeader,
                matches: Sequence[ClaimMatch | None]) -> int | None:
    """The payer of an 835 no alias names: the one its safely matched claims were billed
    to (aliases recorded), else a new payer under TRN03; None without any identifier."""
    billed = Counter(m.claim.payer_id for m in matches
                     if m is not None and m.is_safe and m.claim and m.claim.payer_id)
    aliases = payer_aliases(header)
    name = (header.payer.name if header.payer else None) or ""
    if billed:
        payer_id = billed.most_common(1)[0][0]
        existing = set(conn.execute(
            select(_ALIAS.c.alias_kind, _ALIAS.c.alias_value)
            .where(tuple_(_ALIAS.c.alias_kind, _ALIAS.c.alias_value).in_(aliases))).all()
        ) if aliases else set()
        fresh = [a for a in aliases if tuple(a) not in existing]
        if fresh:
            conn.execute(insert(_ALIAS), [{"payer_id": payer_id, "alias_kind": kind,
                                           "alias_value": value} for kind, value in fresh])
        return int(payer_id)
    if aliases:
        kind, value = aliases[-1]
        return find_or_create_payer(conn, kind, value, name)
    if name.strip():
        return find_or_create_payer(conn, "n1_pr_name", name.strip().upper(), name)
    return None


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
