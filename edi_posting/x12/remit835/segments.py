"""Parse stage, 835: raw segments of one loop -> the records of :mod:`records.remittance`.

Consumes the segments :mod:`edi_posting.x12.remit835.parser` has gathered for one loop (a claim
with its lines, a party, an LX summary, a PLB) and produces frozen records, once per loop:
building each record once, from whole loops, is what keeps a 100,000-claim file fast.
Input problems (an amount with three decimals, a date that is not one) are appended to
``Context.problems`` with the element they concern; the value becomes None (or 0 for a
required amount) and is never rounded or guessed.
"""

from __future__ import annotations

from itertools import starmap

from edi_posting.records.claim import ProcedureCode
from edi_posting.records.problems import ProblemCode, Severity
from edi_posting.records.remittance import (
    ClaimPaymentRecord,
    ProviderAdjustmentRecord,
    ServiceLinePaymentRecord,
)
from edi_posting.records.remittance_parts import (
    AdjustmentRecord,
    Amount,
    Contact,
    DateValue,
    InpatientAdjudication,
    OutpatientAdjudication,
    Party,
    Payment,
    PersonName,
    ProviderSummary,
    Quantity,
    Reference,
    RemarkCodeRecord,
    Trace,
)
from edi_posting.x12.remit835.values import (
    SHARED_LIMIT,
    Bucket,
    Context,
    Segment,
    fast_constructor,
    padded,
    required_amount,
)

__all__ = []  # and the builders below

_NONE: tuple[()] = ()
_adjustment = fast_constructor(AdjustmentRecord)
_date_value = fast_constructor(DateValue)
_reference = fast_constructor(Reference)
_amount = fast_constructor(Amount)
_name = fast_constructor(PersonName)
_procedure = fast_constructor(ProcedureCode)
_service_line = fast_constructor(ServiceLinePaymentRecord)
_claim = fast_constructor(ClaimPaymentRecord)
_MIA_REMARKS = (5, 20, 21, 22, 23)
_MIA_AMOUNTS = (*range(6, 15), *range(16, 20), 24)


def payment(elements: list[str], position: int, ctx: Context) -> Payment:
    e = padded(elements, 17)
    amount = ctx.cents(e[2], "BPR02", position)
    if amount is None and not e[2]:
        ctx.problem(ProblemCode.MISSING_AMOUNT, Severity.ERROR, "BPR02 (total payment) is empty",
                    position, "BPR02")
        ctx.has_bad_amount = True
    return Payment(
        e[1], amount or 0, e[3], e[4], e[5] or None, e[6] or None, e[7] or None, e[8] or None,
        e[9] or None, e[10] or None, e[11] or None, e[12] or None, e[13] or None,
        e[14] or None, e[15] or None, ctx.date(e[16], "BPR16", position), position,
    )


def trace(elements: list[str]) -> Trace:
    e = padded(elements, 5)
    return Trace(e[1], e[2].strip(), e[3] or None, e[4] or None)


def references(segments: list[Segment] | None) -> tuple[Reference, ...]:
    if not segments:
        return _NONE
    return tuple([_reference(e[1] if len(e) > 1 else "", e[2].strip() if len(e) > 2 else "",
                             e[3] if len(e) > 3 and e[3] else None) for e, _ in segments])


def dates(segments: list[Segment] | None, ctx: Context) -> tuple[DateValue, ...]:
    if not segments:
        return _NONE
    if len(segments) == 1:
        return _date_of(segments[0], ctx)
    return tuple([_date_of(segment, ctx)[0] for segment in segments])


def _date_of(segment: Segment, ctx: Context) -> tuple[DateValue]:
    """One DTM, alone in a tuple: shared with every DTM of the set with the same DTM01 and
    a valid (or empty) DTM02, which is read without a problem (see ``Context``)."""
    e, position = segment
    if len(e) != 3:
        return (_date_value(e[1] if len(e) > 1 else "",
                            ctx.date(e[2] if len(e) > 2 else "", "DTM02", position),
                            e[3] if len(e) > 3 and e[3] else None),)
    key = (e[1], e[2])
    shared = ctx.shared_dates.get(key)
    if shared is not None:
        return shared
    day = ctx.date(e[2], "DTM02", position)
    value = (_date_value(e[1], day, None),)
    if (day is not None or not e[2]) and len(ctx.shared_dates) < SHARED_LIMIT:
        ctx.shared_dates[key] = value
    return value


def amounts(segments: list[Segment] | None, ctx: Context) -> tuple[Amount, ...]:
    if not segments:
        return _NONE
    if len(segments) == 1:
        return _amount_of(segments[0], ctx)
    return tuple([_amount_of(segment, ctx)[0] for segment in segments])


def _amount_of(segment: Segment, ctx: Context) -> tuple[Amount]:
    """One AMT, alone in a tuple: shared like :func:`_date_of`'s dates."""
    e, position = segment
    if len(e) < 3:
        return (_amount(e[1] if len(e) > 1 else "", ctx.cents("", "AMT02", position)),)
    key = (e[1], e[2])
    shared = ctx.shared_amounts.get(key)
    if shared is not None:
        return shared
    cents = ctx.cents(e[2], "AMT02", position)
    value = (_amount(e[1], cents),)
    if (cents is not None or not e[2]) and len(ctx.shared_amounts) < SHARED_LIMIT:
        ctx.shared_amounts[key] = value
    return value


def quantities(segments: list[Segment] | None) -> tuple[Quantity, ...]:
    if not segments:
        return _NONE
    return tuple([Quantity(e[1] if len(e) > 1 else "", e[2] if len(e) > 2 else "")
                  for e, _ in segments])


def remarks(segments: list[Segment] | None) -> tuple[RemarkCodeRecord, ...]:
    if not segments:
        return _NONE
    return tuple([RemarkCodeRecord(e[1] if len(e) > 1 else "", e[2].strip() if len(e) > 2 else "")
                  for e, _ in segments])


def contacts(segments: list[Segment] | None) -> tuple[Contact, ...]:
    if not segments:
        return _NONE
    found = []
    for elements, _ in segments:
        e = padded(elements, 9)
        numbers = tuple((e[i], e[i + 1]) for i in (3, 5, 7) if e[i] or e[i + 1])
        found.append(Contact(e[1], e[2] or None, numbers))
    return tuple(found)


_CAS_AMOUNTS = {i: f"CAS{i + 1:02d}" for i in range(2, 20, 3)}


Triplet = tuple[str, str, int, str | None, int]  # CAS01, reason, cents, quantity, position


def adjustments(segments: list[Segment] | None, ctx: Context) -> tuple[AdjustmentRecord, ...]:
    """Every CAS triplet as one Adjustment (up to six per segment)."""
    if not segments:
        return _NONE
    return tuple(starmap(_adjustment, adjustment_triplets(segments, ctx)))


def adjustment_triplets(segments: list[Segment], ctx: Context) -> list[Triplet]:
    """Every complete CAS triplet as the fields of an :class:`Adjustment`, in order."""
    found: list[Triplet] = []
    for elements, position in segments:
        cas_triplets(elements, position, ctx, found)
    return found


def cas_triplets(elements: list[str], position: int, ctx: Context, found: list[Triplet]) -> None:
    """The complete triplets of one CAS, appended to ``found``: an incomplete one is an
    ERROR problem (an amount unreadable), an invalid amount 0 with an ERROR problem."""
    size = len(elements)
    group = elements[1] if size > 1 else ""
    if size == 4 and elements[2] and elements[3]:  # the usual CAS: one triplet
        found.append((group, elements[2], ctx.cents(elements[3], "CAS03", position) or 0,
                      None, position))
        return
    for index in (2, 5, 8, 11, 14, 17):
        if index >= size:
            break
        reason = elements[index]
        amount_text = elements[index + 1] if index + 1 < size else ""
        if not reason or not amount_text:
            if reason or amount_text:
                _incomplete_triplet(ctx, bool(reason), index, position)
            continue
        amount = ctx.cents(amount_text, _CAS_AMOUNTS[index], position)
        quantity = elements[index + 2] if index + 2 < size and elements[index + 2] else None
        found.append((group, reason, amount or 0, quantity, position))


def _incomplete_triplet(ctx: Context, has_reason: bool, index: int, position: int) -> None:
    element = f"CAS{index + 1:02d}"
    ctx.has_bad_amount = True
    ctx.problem(ProblemCode.INCOMPLETE_ADJUSTMENT,
                Severity.ERROR, f"CAS triplet at {element} has no "
                f"{'amount' if has_reason else 'reason'}", position, element)


def names(segments: list[Segment] | None) -> tuple[PersonName, ...]:
    if not segments:
        return _NONE
    found = []
    for elements, _ in segments:
        e = padded(elements, 10)
        found.append(_name(e[1], e[2] or None, e[3].strip() or None, e[4].strip() or None,
                                e[5] or None, e[7] or None, e[8] or None, e[9].strip() or None))
    return tuple(found)


def procedure(text: str, component: str) -> tuple[ProcedureCode, str | None]:
    """SVC01/SVC06 composite: qualifier, code, up to 4 modifiers, description."""
    parts = text.split(component)
    size = len(parts)
    if size == 1:
        return _procedure("", parts[0].strip(), _NONE), None
    if size == 2:
        return _procedure(parts[0], parts[1].strip(), _NONE), None
    modifiers = tuple([m for m in parts[2:6] if m])
    description = parts[6] if size > 6 and parts[6] else None
    return _procedure(parts[0], parts[1].strip(), modifiers), description


def _procedure_of(text: str, ctx: Context) -> tuple[ProcedureCode, str | None]:
    """:func:`procedure`, shared by every SVC01 of the set with the same text."""
    found = ctx.procedures.get(text)
    if found is None:
        found = procedure(text, ctx.component)
        if len(ctx.procedures) < SHARED_LIMIT:
            ctx.procedures[text] = found
    return found


def service_line(bucket: Bucket, ctx: Context) -> ServiceLinePaymentRecord:
    elements, position = bucket["SVC"][0]
    e = elements if len(elements) >= 8 else padded(elements, 8)
    adjudicated, description = _procedure_of(e[1], ctx)
    charge = ctx.cents(e[2], "SVC02", position)
    paid = ctx.cents(e[3], "SVC03", position)
    if charge is None or paid is None:
        required_amount(ctx, e, position, (2, 3), "SVC")
    get = bucket.get
    return _service_line(
        adjudicated, description, charge or 0, paid or 0, e[4] or None, e[5] or None,
        _procedure_of(e[6], ctx)[0] if e[6] else None, e[7] or None,
        dates(get("DTM"), ctx), adjustments(get("CAS"), ctx), references(get("REF")),
        amounts(get("AMT"), ctx), quantities(get("QTY")), remarks(get("LQ")),
        ctx.at(position),
    )


def claim(bucket: Bucket, lines: list[Bucket], ctx: Context) -> ClaimPaymentRecord:
    """One CLP loop; the caller resets ``ctx.problems`` so they become the claim's own."""
    elements, position = bucket["CLP"][0]
    e = elements if len(elements) >= 15 else padded(elements, 15)
    charge = ctx.cents(e[3], "CLP03", position)
    paid = ctx.cents(e[4], "CLP04", position)
    if charge is None or paid is None:
        required_amount(ctx, e, position, (3, 4), "CLP")
    get = bucket.get
    moa, mia = get("MOA"), get("MIA")
    return _claim(
        e[1].strip(), e[2], charge or 0, paid or 0, ctx.cents(e[5], "CLP05", position),
        e[6] or None, e[7].strip() or None, e[8] or None, e[9] or None, e[10] or None,
        e[11] or None, e[12] or None, e[13] or None, e[14] or None,
        adjustments(get("CAS"), ctx), names(get("NM1")),
        inpatient(mia[0], ctx) if mia else None, outpatient(moa[0], ctx) if moa else None,
        references(get("REF")), dates(get("DTM"), ctx), contacts(get("PER")),
        amounts(get("AMT"), ctx), quantities(get("QTY")),
        tuple([service_line(line, ctx) for line in lines]) if lines else _NONE,
        ctx.at(position), _NONE,
    )


def outpatient(segment: Segment, ctx: Context) -> OutpatientAdjudication:
    elements, position = segment
    e = padded(elements, 10)
    return OutpatientAdjudication(
        e[1] or None, ctx.cents(e[2], "MOA02", position), tuple(c for c in e[3:8] if c),
        ctx.cents(e[8], "MOA08", position), ctx.cents(e[9], "MOA09", position),
    )


def inpatient(segment: Segment, ctx: Context) -> InpatientAdjudication:
    elements, position = segment
    e = padded(elements, 25)
    others = []
    for index in _MIA_AMOUNTS:
        cents = ctx.cents(e[index], f"MIA{index:02d}", position)
        if cents is not None:
            others.append((f"MIA{index:02d}", cents))
    return InpatientAdjudication(
        e[1] or None, ctx.cents(e[2], "MIA02", position), e[3] or None,
        ctx.cents(e[4], "MIA04", position), tuple(e[i] for i in _MIA_REMARKS if e[i]),
        tuple(others),
    )


def party(bucket: Bucket, ctx: Context) -> Party:
    e = padded(bucket["N1"][0][0], 5)
    n3 = bucket.get("N3")
    n4 = padded(bucket["N4"][0][0], 5) if bucket.get("N4") else [""] * 5
    lines = tuple(x.strip() for x in n3[0][0][1:3] if x.strip()) if n3 else _NONE
    return Party(e[1], e[2].strip() or None, e[3] or None, e[4].strip() or None, lines,
                 n4[1] or None, n4[2] or None, n4[3] or None, n4[4] or None,
                 references(bucket.get("REF")), contacts(bucket.get("PER")))


def summary(bucket: Bucket, ctx: Context) -> ProviderSummary:
    number, position = (bucket["LX"][0][0], bucket["LX"][0][1]) if "LX" in bucket else ([], 0)
    ts3 = padded(bucket["TS3"][0][0], 6) if "TS3" in bucket else [""] * 6
    ts3_position = bucket["TS3"][0][1] if "TS3" in bucket else position
    others = []
    for tag, first in (("TS3", 6), ("TS2", 1)):
        for elements, at in bucket.get(tag, ())[:1]:
            for index in range(first, len(elements)):
                if tag == "TS3" and index in (15, 19, 21):  # TS315/19/21 are counts
                    continue
                cents = ctx.cents(elements[index], f"{tag}{index:02d}", at)
                if cents is not None:
                    others.append((f"{tag}{index:02d}", cents))
    return ProviderSummary(
        number[1] if len(number) > 1 else "", ts3[1] or None, ts3[2] or None,
        ctx.date(ts3[3], "TS303", ts3_position), ts3[4] or None,
        ctx.cents(ts3[5], "TS305", ts3_position), tuple(others), ctx.source.at(position),
    )


def provider_adjustments(segment: Segment, ctx: Context) -> list[ProviderAdjustmentRecord]:
    """Every PLB reason/reference/amount pair (PLB03/04 ... PLB13/14)."""
    elements, position = segment
    e = padded(elements, 15)
    fiscal_date = ctx.date(e[2], "PLB02", position)
    source = ctx.source.at(position)
    found = []
    for index in range(3, 15, 2):
        composite, amount_text = e[index], e[index + 1]
        if not composite and not amount_text:
            continue
        reason, _, reference = composite.partition(ctx.component)
        cents = ctx.cents(amount_text, f"PLB{index + 1:02d}", position)
        if not reason or cents is None:
            ctx.has_bad_amount = True
            if cents is not None or not amount_text:
                ctx.problem(ProblemCode.INCOMPLETE_PROVIDER_ADJUSTMENT, Severity.ERROR,
                            f"PLB{index:02d}/PLB{index + 1:02d} lacks a reason or an amount",
                            position, f"PLB{index:02d}")
            continue
        found.append(ProviderAdjustmentRecord(e[1].strip(), fiscal_date, reason.strip(),
                                        reference.strip() or None, cents, source))
    return found
