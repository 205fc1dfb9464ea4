"""Parse stage, 835: the state machine over one transaction set's body segments.

Consumes one :class:`~edi_posting.x12.reader.TransactionSet` and produces, as
:mod:`edi_posting.x12.remit835.parser` streams them, its :class:`RemittanceHeader`, one
:class:`ClaimPayment` per CLP loop, and its :class:`RemittanceEnd`.  Segments that open or
close a loop decide where the others go: each loop's segments are gathered into a bucket,
and a bucket becomes records (:mod:`edi_posting.x12.remit835.segments`) when its loop ends.  This
is the one 835 claim parser: ``parse --stats`` counts the same records.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.records.remittance import (
    ClaimPaymentRecord,
    ProviderAdjustmentRecord,
    RemittanceEnd,
    RemittanceHeader,
    RemittanceTotals,
)
from edi_posting.records.remittance_parts import ProviderSummary
from edi_posting.x12.remit835 import segments as seg
from edi_posting.x12.remit835.balancing import TransactionBalance, check_claim
from edi_posting.x12.remit835.layout import ALLOWED, Area, is_money_area, stray_segment
from edi_posting.x12.remit835.values import Bucket, Context, Segment
from edi_posting.x12.transaction_set import X12TransactionSet

__all__ = ["SetParser"]

_KNOWN_VERSIONS = ("X221", "X091")
# Segments that open or close a loop; every other segment joins the current loop's bucket.
_CLAIM, _LINE, _SUMMARY, _SUMMARY_PART, _PLB, _PARTY = range(6)
_STRUCTURE = {"CLP": _CLAIM, "SVC": _LINE, "LX": _SUMMARY, "TS3": _SUMMARY_PART,
              "TS2": _SUMMARY_PART, "PLB": _PLB, "N1": _PARTY}

_AREAS = {_CLAIM: Area.CLAIM, _LINE: Area.LINE, _SUMMARY: Area.SUMMARY,
          _SUMMARY_PART: Area.SUMMARY, _PLB: Area.FOOTER, _PARTY: Area.PARTY}

class SetParser:
    """A small state machine over one set's body segments, gathering loops into buckets."""

    def __init__(self, tset: X12TransactionSet) -> None:
        self.tset = tset
        self.ctx = Context(tset.source, tset.delimiters.component)
        self.set_problems: list[Problem] = []
        self.ctx.problems = self.set_problems
        self.header_bucket: Bucket = {}
        self.parties: list[Bucket] = []
        self.summaries: list[ProviderSummary] = []
        self.summary_bucket: Bucket | None = None
        self.plb: list[ProviderAdjustmentRecord] = []
        self.header: RemittanceHeader | None = None
        self.balance = TransactionBalance()
        self.counts = [0, 0, 0, 0, 0]  # claims, lines, adjustments, unbalanced lines, claims

    def run(self) -> Iterator[RemittanceHeader | ClaimPaymentRecord | RemittanceEnd]:
        if not self._check_kind():
            self.tset.skip()
            yield self.make_header()
            yield self.make_end()
            return
        yield from self._loops()
        if self.header is None:
            yield self.make_header()
        yield self.make_end()

    def _loops(self) -> Iterator[RemittanceHeader | ClaimPaymentRecord]:
        """Every loop into its bucket; a claim's records built when its loop ends."""
        structure, line_kind, party_kind, claim_kind = _STRUCTURE, _LINE, _PARTY, _CLAIM
        target: Bucket = self.header_bucket
        claim: Bucket | None = None
        lines: list[Bucket] = []
        area, allowed = Area.HEADER, ALLOWED[Area.HEADER]
        for rows, positions in self.tset.batches():
            for segment in zip(rows, positions):
                tag = segment[0][0]
                kind = structure.get(tag)
                if kind is None:  # most segments: into the current loop's bucket
                    bucket = target.get(tag)
                    if bucket is None:
                        target[tag] = [segment]
                    else:
                        bucket.append(segment)
                    if tag not in allowed:  # does it belong in this loop?
                        self._stray(tag, segment[1], area)
                    continue
                if kind == line_kind and claim is not None:
                    target = {"SVC": [segment]}
                    lines.append(target)
                elif kind == party_kind and self.header is None:
                    target = {"N1": [segment]}
                    self.parties.append(target)
                else:
                    if claim is not None:
                        yield self.finish_claim(claim, lines)
                        claim, lines = None, []
                    elif self.header is None:
                        yield self.make_header()
                    target = self._open(kind, segment)
                    if kind == claim_kind:
                        claim = target
                area = _AREAS[kind] if kind != line_kind or claim is not None else area
                allowed = ALLOWED[area]
        if claim is not None:
            yield self.finish_claim(claim, lines)

    def _open(self, kind: int, segment: Segment) -> Bucket:
        """A segment that closes the current loop: start the next loop's bucket."""
        if kind == _CLAIM:
            return {"CLP": [segment]}
        if kind == _PLB:
            self.plb.extend(seg.provider_adjustments(segment, self.ctx))
            return {}
        if kind == _SUMMARY:
            self._close_summary()
            self.summary_bucket = {"LX": [segment]}
            return self.summary_bucket
        if kind == _SUMMARY_PART and self.summary_bucket is not None:
            self.summary_bucket.setdefault(segment[0][0], []).append(segment)
            return self.summary_bucket
        self.ctx.problem(ProblemCode.UNEXPECTED_SEGMENT,
                         Severity.ERROR, f"{segment[0][0]} segment out of "
                         "place (ignored)", segment[1], segment[0][0])
        if kind == _LINE:  # a service line outside a claim: its money is not read
            self.balance.is_computable = False
        return {}

    def _stray(self, tag: str, position: int, area: Area) -> None:
        """A segment that does not belong where it sits (:mod:`~edi_posting.x12.remit835.layout`);
        in a claim, a line or after the claims its money is lost, so the set is held."""
        self.set_problems.append(stray_segment(tag, position, area, self.ctx.source))
        if is_money_area(area):
            self.balance.is_computable = False

    def _close_summary(self) -> None:
        if self.summary_bucket is not None:
            self.summaries.append(seg.summary(self.summary_bucket, self.ctx))
            self.summary_bucket = None

    def _check_kind(self) -> bool:
        tset = self.tset
        if tset.transaction_id != "835":
            self.ctx.problem(ProblemCode.NOT_835,
                             Severity.FATAL, f"transaction set {tset.transaction_id!r} "
                             "is not an 835 remittance (skipped)", tset.position, "ST01")
            return False
        group = tset.group
        if group is not None and group.functional_id != "HP":
            self.ctx.problem(ProblemCode.GS01_NOT_HP,
                             Severity.ERROR, f"GS01 is {group.functional_id!r}; "
                             "an 835 must be in an HP group", group.position, "GS01")
        if not any(marker in tset.version for marker in _KNOWN_VERSIONS):
            self.ctx.problem(ProblemCode.UNKNOWN_VERSION,
                             Severity.WARNING, f"version {tset.version!r} is "
                             "neither 005010X221A1 nor 004010X091A1: read as an 835 anyway",
                             tset.position, "ST03")
        return True

    def finish_claim(self, bucket: Bucket, lines: list[Bucket]) -> ClaimPaymentRecord:
        ctx = self.ctx
        set_has_bad_amount = ctx.has_bad_amount
        ctx.problems, ctx.has_bad_amount = [], False
        claim = seg.claim(bucket, lines, ctx)
        problems = ctx.problems
        if ctx.has_bad_amount:
            self._amounts_unreadable(problems)
        else:
            problems.extend(check_claim(claim))
        ctx.problems, ctx.has_bad_amount = self.set_problems, set_has_bad_amount
        adjustments = len(claim.adjustments) + sum(len(x.adjustments) for x in claim.service_lines)
        self._count(len(claim.service_lines), adjustments, claim.paid_cents, problems)
        if problems:
            claim = replace(claim, problems=tuple(problems))
        return claim

    def _amounts_unreadable(self, problems: list[Problem]) -> None:
        """An amount of the claim could not be read: it is not balanced (that would only
        mislead), and without CLP04 the transaction level cannot be computed either."""
        if any(p.element == "CLP04" for p in problems):
            self.balance.is_computable = False

    def _count(self, lines: int, adjustments: int, paid_cents: int,
               problems: list[Problem]) -> None:
        counts = self.counts
        counts[0] += 1
        counts[1] += lines
        counts[2] += adjustments
        if problems:
            counts[3] += sum(1 for p in problems if p.code == ProblemCode.SERVICE_UNBALANCED)
            counts[4] += any(p.code == ProblemCode.CLAIM_UNBALANCED for p in problems)
        self.balance.add_claim_paid(paid_cents)

    def make_header(self) -> RemittanceHeader:
        ctx, get, tset = self.ctx, self.header_bucket.get, self.tset
        bpr, trn, cur = get("BPR"), get("TRN"), get("CUR")
        payment = seg.payment(*bpr[0], ctx) if bpr else None
        if payment is None and tset.transaction_id == "835":
            ctx.problem(ProblemCode.MISSING_BPR,
                        Severity.FATAL, "no BPR segment: the payment is unknown",
                        tset.position, "BPR")
        if not trn and tset.transaction_id == "835":  # required: the deposit's trace number
            ctx.problem(ProblemCode.MISSING_TRN,
                        Severity.FATAL, f"transaction set {tset.control_number} "
                        "has no TRN segment: TRN is required, and without its trace number "
                        "the payment can be neither identified nor reconciled to a deposit",
                        tset.position, "TRN")
        currency = cur[0][0][2] if cur and len(cur[0][0]) > 2 else None
        if currency and currency != "USD":
            ctx.problem(ProblemCode.FOREIGN_CURRENCY,
                        Severity.ERROR, f"CUR02 is {currency!r}: foreign "
                        "currency is not posted automatically", cur[0][1] if cur else 0, "CUR02")
        payer = payee = None
        for bucket in self.parties:
            entity = bucket["N1"][0][0][1] if len(bucket["N1"][0][0]) > 1 else ""
            if entity == "PR" and payer is None:
                payer = seg.party(bucket, ctx)
            elif entity == "PE" and payee is None:
                payee = seg.party(bucket, ctx)
        self.header = RemittanceHeader(
            tset.control_number, tset.version, tset.group.functional_id if tset.group else None,
            payment, seg.trace(trn[0][0]) if trn else None, currency,
            seg.references(get("REF")), seg.dates(get("DTM"), ctx), payer, payee, tset.source,
            tset.envelope, tuple(self.set_problems),
        )
        return self.header

    def make_end(self) -> RemittanceEnd:
        header = self.header or self.make_header()
        self._close_summary()
        ctx, balance = self.ctx, self.balance
        for adjustment in self.plb:
            balance.add_provider_adjustment(adjustment)
        payment = header.payment
        self.set_problems.extend(ctx.out_of_range)  # found in a claim, but FATAL for the set
        if ctx.has_bad_amount or ctx.out_of_range:
            balance.is_computable = False
        is_balanced: bool | None = None
        if payment is not None and balance.is_computable:
            problem = balance.check(payment.amount_cents, ctx.source.at(payment.segment_position))
            is_balanced = problem is None
            if problem is not None:
                self.set_problems.append(problem)
        self.set_problems.extend(self.tset.problems)
        c = self.counts
        totals = RemittanceTotals(
            c[0], c[1], c[2], len(self.plb), payment.amount_cents if payment else 0,
            balance.claim_paid_cents, balance.provider_adjustment_cents, c[3], c[4], is_balanced,
        )
        return RemittanceEnd(header, tuple(self.summaries), tuple(self.plb), totals,
                             tuple(self.set_problems))
