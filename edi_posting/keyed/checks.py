"""Keyed rows -> one remittance per check, the records an 835 set gives.

Rows are grouped by check (payer and check number, in order of first appearance); within a
check, consecutive line rows repeating the same claim fields are one claim (a reversal and
its correction differ in status and amounts, so they stay two).  The check's and the
claim's fields must be keyed the same on every row that repeats them.  Balancing is the
835's own (:mod:`edi_posting.x12.remit835.balancing`): a claim or check that does not
balance carries the same problem, and posting holds it the same way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace

from edi_posting.codes.loader import load_all
from edi_posting.codes.records import CodeList, CodeListName
from edi_posting.keyed.fields import RowReader, keyed_problem
from edi_posting.keyed.lines import KeyedLine, KeyedPlb, read_line, read_plb
from edi_posting.keyed.rows import KeyedRow, KeyedRows
from edi_posting.keyed.template import CHECK_COLUMNS, CLAIM_COLUMNS, KeyedMethod, RowKind
from edi_posting.money import AmountError, parse_amount, to_cents
from edi_posting.records.problems import Problem, ProblemCode
from edi_posting.records.remittance import (
    ClaimPaymentRecord,
    RemittanceEnd,
    RemittanceHeader,
    RemittanceTotals,
)
from edi_posting.records.remittance_parts import Party, Payment, PersonName, Trace
from edi_posting.records.source import SourceRef
from edi_posting.x12.remit835.balancing import TransactionBalance, check_claim
from edi_posting.x12.remit835.file import RemittanceSetRead

__all__ = ["KEYED_VERSION", "KeyedCheck", "build_checks"]

KEYED_VERSION = "KEYED-EOB"  # the header's version: no implementation guide
_METHODS = tuple(m.value for m in KeyedMethod)
_KINDS = tuple(k.value for k in RowKind)


@dataclass(frozen=True, slots=True)
class KeyedCheck:
    """One keyed check: its records as an 835 set, and the payer as keyed (ID or name)."""

    payer: str
    read: RemittanceSetRead
    rows: tuple[int, ...]


@dataclass
class _Row:
    row: KeyedRow
    kind: str
    check: tuple[str, ...]  # the check's fields as keyed (the group key and the comparison)
    claim: tuple[str, ...]
    line: KeyedLine | None
    plb: KeyedPlb | None


def build_checks(rows: KeyedRows, source: SourceRef,
                 lists: dict[CodeListName, CodeList] | None = None
                 ) -> tuple[list[KeyedCheck], list[Problem]]:
    """Every row read and checked; the checks and every problem found (none posts here)."""
    lists = lists or load_all()
    problems: list[Problem] = [
        keyed_problem(ProblemCode.KEYED_FILE_UNREADABLE,
                      SourceRef(source.file_sha256, source.file_name, row=row,
                                keyed_by=source.keyed_by), column, None, message)
        for row, column, message in rows.errors]
    parsed: list[_Row] = []
    for row in rows.rows:
        reader = RowReader(row, _at(source, row.number))
        parsed.append(_read_row(reader, lists))
        problems += reader.problems
    groups: dict[tuple[str, str], list[_Row]] = {}
    for item in parsed:
        groups.setdefault((item.check[0].lower(), item.check[1]), []).append(item)
    checks = []
    for members in groups.values():
        problems += _disagreements(members, source)
        checks.append(_check(members, source))
    if not rows.rows and not rows.errors:
        problems.append(keyed_problem(ProblemCode.KEYED_FILE_UNREADABLE, source, None, None,
                                      "no rows: nothing keyed"))
    return checks, problems


def _at(source: SourceRef, row: int) -> SourceRef:
    return SourceRef(source.file_sha256, source.file_name, row=row, keyed_by=source.keyed_by)


def _read_row(reader: RowReader, lists: dict[CodeListName, CodeList]) -> _Row:
    kind = reader.choice("record", _KINDS) or RowKind.LINE.value
    reader.text("payer", required=True, longest=128)
    reader.text("check_number", required=True, longest=35)
    day = reader.date("payment_date", required=True) or dt.date.today()
    amount = reader.cents("payment_amount", required=True)
    if amount is not None and amount < 0:
        reader.fail(ProblemCode.KEYED_FIELD_INVALID, "payment_amount", "below zero: a check "
                    "pays; money taken back is a PLB row or a reversed claim")
    reader.choice("payment_method", _METHODS, required=True)
    check = tuple(reader.row.get(c) for c in CHECK_COLUMNS)
    claim = tuple(reader.row.get(c) for c in CLAIM_COLUMNS)
    if kind == RowKind.PLB:
        return _Row(reader.row, kind, check, claim, None, read_plb(reader, lists, day))
    _read_claim_fields(reader, lists, day)
    return _Row(reader.row, kind, check, claim, read_line(reader, lists, day), None)


def _read_claim_fields(reader: RowReader, lists: dict[CodeListName, CodeList],
                       day: dt.date) -> None:
    """Checked on every row that repeats them (a typo on any row is found)."""
    reader.text("claim_pcn", required=True, longest=38)
    reader.code("claim_status", lists[CodeListName.CLAIM_STATUS], day, required=True)
    reader.cents("claim_charge", required=True)
    reader.cents("claim_paid", required=True)
    reader.cents("patient_responsibility")
    reader.text("payer_claim_number", longest=50)
    reader.text("patient_name", longest=128)
    reader.text("member_id", longest=80)


def _disagreements(members: Sequence[_Row], source: SourceRef) -> list[Problem]:
    """A check's fields keyed differently on two of its rows (the first row is taken as
    keyed right): one problem per differing cell."""
    first = members[0]
    found = []
    for item in members[1:]:
        for column, mine, theirs in zip(CHECK_COLUMNS, item.check, first.check, strict=True):
            if mine.lower() != theirs.lower():
                found.append(keyed_problem(
                    ProblemCode.KEYED_ROWS_DISAGREE, _at(source, item.row.number),
                    item.row.label(column), mine, f"check {first.check[1]} has "
                    f"{theirs!r} on row {first.row.number}"))
    return found


def _check(members: Sequence[_Row], source: SourceRef) -> KeyedCheck:
    first = members[0]
    at = _at(source, first.row.number)
    header = _header(first, at)
    claims = tuple(_claims(members, source))
    plbs = tuple(m.plb.record for m in members if m.plb is not None)
    balance = TransactionBalance()
    for claim in claims:
        balance.add_claim(claim)
    for plb in plbs:
        balance.add_provider_adjustment(plb)
    payment = header.payment
    problem = balance.check(payment.amount_cents, at) if payment else None
    lines = sum(len(c.service_lines) for c in claims)
    totals = RemittanceTotals(
        len(claims), lines, sum(len(ln.adjustments) for c in claims for ln in c.service_lines),
        len(plbs), payment.amount_cents if payment else 0, balance.claim_paid_cents,
        balance.provider_adjustment_cents,
        sum(1 for c in claims for p in c.problems if p.code == ProblemCode.SERVICE_UNBALANCED),
        sum(1 for c in claims for p in c.problems if p.code == ProblemCode.CLAIM_UNBALANCED),
        problem is None)
    end = RemittanceEnd(header, (), plbs, totals, (problem,) if problem else ())
    read = RemittanceSetRead(header, claims, end, None, _digest(header, claims, plbs),
                             first.row.number, len(members), True)
    return KeyedCheck(first.check[0], read, tuple(m.row.number for m in members))


def _header(first: _Row, at: SourceRef) -> RemittanceHeader:
    payer, number, day, amount, method = first.check
    cents = _cents(amount)
    keyed = KeyedMethod(method.lower()) if method.lower() in _METHODS else KeyedMethod.CHECK
    payment = Payment("H" if keyed is KeyedMethod.NONE else "I", cents, "C", keyed.bpr04,
                      None, None, None, None, None, None, None, None, None, None, None,
                      _day(day), first.row.number)
    return RemittanceHeader(number, KEYED_VERSION, None, payment, Trace("1", number, None, None),
                            None, (), (), Party("PR", payer, None, None), None, at, None)


def _claims(members: Sequence[_Row], source: SourceRef) -> list[ClaimPaymentRecord]:
    runs: list[list[_Row]] = []
    for item in members:
        if item.line is None:
            continue
        if runs and runs[-1][0].claim == item.claim:
            runs[-1].append(item)
        else:
            runs.append([item])
    return [_claim(run, _at(source, run[0].row.number)) for run in runs]


def _claim(run: Sequence[_Row], at: SourceRef) -> ClaimPaymentRecord:
    values = dict(zip(CLAIM_COLUMNS, run[0].claim, strict=True))
    lines = tuple(item.line.record for item in run if item.line is not None)
    pr = values["patient_responsibility"]
    claim = ClaimPaymentRecord(
        values["claim_pcn"], values["claim_status"].upper(), _cents(values["claim_charge"]),
        _cents(values["claim_paid"]), _cents(pr) if pr else None, None,
        values["payer_claim_number"] or None, None, None, None, None, None, None, None, (),
        _names(values["patient_name"], values["member_id"]), None, None, (), (), (), (), (),
        lines, at)
    return _with_problems(claim, check_claim(claim))


def _with_problems(claim: ClaimPaymentRecord, problems: list[Problem]) -> ClaimPaymentRecord:
    return replace(claim, problems=tuple(problems)) if problems else claim


def _names(printed: str, member: str) -> tuple[PersonName, ...]:
    """NM1*QC as an 835 would send it: "LAST, FIRST" (or "FIRST LAST") and the member ID."""
    if not printed and not member:
        return ()
    if "," in printed:
        last, _, first = printed.partition(",")
    else:
        *firsts, last = printed.split() or [""]
        first = " ".join(firsts)
    return (PersonName("QC", "1", last.strip().upper() or None, first.strip().upper() or None,
                       None, None, "MI" if member else None, member or None),)


def _cents(text: str) -> int:
    """An amount the row reader accepted (0 where it did not: the file posts nothing then)."""
    try:
        return to_cents(parse_amount(text.replace("$", "", 1)))
    except AmountError:
        return 0


def _day(text: str) -> dt.date | None:
    for form in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return dt.datetime.strptime(text.strip(), form).date()
        except ValueError:
            continue
    return None


def _digest(header: RemittanceHeader, claims: Sequence[ClaimPaymentRecord],
            plbs: Sequence[object]) -> str:
    """The check's content as values (cents, dates, codes), never as bytes or rows: the
    same batch re-saved (other quoting, another order of columns, 100 for 100.00) is the
    same content."""
    p = header.payment
    doc = {"check": [header.transaction_set_control_number, p.amount_cents if p else None,
                     p.method_code if p else None, str(p.date) if p else None],
           "claims": [_claim_doc(c) for c in claims],
           "plb": [[x.reason_code, x.reference_id, x.amount_cents]  # type: ignore[attr-defined]
                   for x in plbs]}
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def _claim_doc(claim: ClaimPaymentRecord) -> list[object]:
    names = [[n.last_name, n.first_name, n.identifier] for n in claim.names]
    lines = [[ln.procedure.code, list(ln.procedure.modifiers), str(ln.service_date),
              ln.charge_cents, ln.paid_cents, ln.paid_units,
              [[a.group_code, a.reason_code, a.amount_cents] for a in ln.adjustments],
              [r.code for r in ln.remark_codes], [[a.qualifier, a.amount_cents] for a in ln.amounts]]
             for ln in claim.service_lines]
    return [claim.patient_control_number, claim.status_code, claim.charge_cents,
            claim.paid_cents, claim.patient_responsibility_cents,
            claim.payer_claim_control_number, names, lines]
