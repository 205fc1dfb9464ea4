"""Parse stage, 835, for ``parse --stats``: a claim's segments -> its sums, counts, problems.

Used by :mod:`edi_posting.x12.remit835` in place of :func:`segments835.claim`: rather than
gathering a CLP loop into buckets and building its records (most of the cost of a
100,000-claim file), :class:`ClaimTallier` takes the loop's segments one by one as they
are read and keeps only what a :class:`~edi_posting.records.remittance.ClaimTally`
carries.

Same problems as the record path: every element :mod:`segments835` converts and checks
(CLP03-05, CAS triplets, the first MIA and MOA of the claim, DTM02, AMT02, SVC02-03) is
converted here through the same :class:`Context` and the same functions, with the same
loop rules (a segment after an SVC belongs to that line; MIA/MOA count only before the
first SVC), and balancing uses the checks of :mod:`edi_posting.balancing`.  Elements the
record path copies without a check (names, references, codes, quantities) are skipped.
Problems come in file order, balancing last: the record path's order too, unless the
file has a loop's segments out of X12 order.  ``tests/test_parse_speed_invariants.py``
compares both paths claim by claim on mutated files.
"""

from __future__ import annotations

from edi_posting.balancing import (
    claim_balances,
    claim_imbalance,
    patient_share_agrees,
    patient_share_mismatch,
    service_balances,
    service_imbalance,
)
from edi_posting.problems import Problem
from edi_posting.x12 import segments835 as seg
from edi_posting.x12.values835 import Context, padded, required_amount

__all__ = ["ClaimFigures", "ClaimTallier"]

# (CLP01, CLP04 cents, service lines, CAS triplets, CLP position, balancing problems)
ClaimFigures = tuple[str, int, int, int, int, list[Problem]]


class ClaimTallier:
    """The claim being read: :meth:`start` at its CLP, :meth:`line` at each SVC, :meth:`cas`,
    :meth:`mia` and :meth:`moa` for those segments inside, :meth:`close` when the loop
    ends.  (DTM02 and AMT02, a single check each, the caller's loop makes itself.)

    Input problems go to ``ctx.problems`` as they are found (the caller points it at the
    claim's list first); the balancing problems come back from :meth:`close`: they count
    only when every amount could be read.
    """

    __slots__ = (
        "_amounts", "_dates", "_found", "adjusted", "balancing", "charge", "count", "ctx",
        "declared", "has_mia", "has_moa", "line_adjusted", "line_charge",
        "line_paid", "line_position", "lines", "paid", "pcn", "position", "share", "svc",
    )

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._found: list[seg.Triplet] = []
        self._amounts, self._dates = ctx.known_amounts, ctx.known_dates
        self.svc: list[str] | None = None  # the current line's SVC (None: claim level)

    def start(self, elements: list[str], position: int) -> None:
        """CLP: the claim's own amounts."""
        e = elements if len(elements) >= 6 else padded(elements, 6)
        known, cents = self._amounts.get, self.ctx.cents
        charge = known(e[3])
        if charge is None:
            charge = cents(e[3], "CLP03", position)
        paid = known(e[4])
        if paid is None:
            paid = cents(e[4], "CLP04", position)
        if charge is None or paid is None:
            required_amount(self.ctx, e, position, (3, 4), "CLP")
        declared = known(e[5])
        self.declared = cents(e[5], "CLP05", position) if declared is None else declared
        self.pcn, self.position = e[1].strip(), position
        self.charge, self.paid = charge or 0, paid or 0
        self.adjusted = self.share = self.count = self.lines = 0
        self.has_mia = self.has_moa = False
        self.svc = None
        self.balancing: list[Problem] = []

    def line(self, svc: list[str], position: int) -> None:
        """SVC: closes the previous line, opens the next."""
        if self.svc is not None:
            self._close_line()
        if len(svc) < 4:
            svc = padded(svc, 4)
        known = self._amounts.get
        charge, paid = known(svc[2]), known(svc[3])
        if charge is None or paid is None:
            cents = self.ctx.cents
            charge = cents(svc[2], "SVC02", position) if charge is None else charge
            paid = cents(svc[3], "SVC03", position) if paid is None else paid
            if charge is None or paid is None:
                required_amount(self.ctx, svc, position, (2, 3), "SVC")
        self.svc, self.line_position = svc, position
        self.line_charge, self.line_paid, self.line_adjusted = charge or 0, paid or 0, 0
        self.lines += 1

    def cas(self, elements: list[str], position: int) -> None:
        if len(elements) == 4 and elements[2] and elements[3]:  # one triplet, as cas_triplets
            group, amount = elements[1], self._amounts.get(elements[3])
            if amount is None:
                amount = self.ctx.cents(elements[3], "CAS03", position) or 0
            self.count += 1
            if group == "PR":
                self.share += amount
        else:
            found = self._found
            found.clear()
            seg.cas_triplets(elements, position, self.ctx, found)
            amount = 0
            for group, _, cents, _, _ in found:
                amount += cents
                if group == "PR":
                    self.share += cents
            self.count += len(found)
        if self.svc is None:
            self.adjusted += amount
        else:
            self.line_adjusted += amount

    def mia(self, elements: list[str], position: int) -> None:
        if self.svc is None and not self.has_mia:  # the claim's first only, as seg.claim
            self.has_mia = True
            seg.inpatient((elements, position), self.ctx)

    def moa(self, elements: list[str], position: int) -> None:
        if self.svc is None and not self.has_moa:
            self.has_moa = True
            seg.outpatient((elements, position), self.ctx)

    def _close_line(self) -> None:
        charge, adjusted, paid = self.line_charge, self.line_adjusted, self.line_paid
        if not service_balances(charge, adjusted, paid):
            assert self.svc is not None
            code = seg.procedure(self.svc[1], self.ctx.component)[0].code
            self.balancing.append(service_imbalance(code, charge, adjusted, paid,
                                                    self.ctx.at(self.line_position)))
        self.adjusted += adjusted

    def close(self) -> ClaimFigures:
        if self.svc is not None:
            self._close_line()
            self.svc = None
        pcn, charge, adjusted, paid = self.pcn, self.charge, self.adjusted, self.paid
        balancing = self.balancing
        if not claim_balances(charge, adjusted, paid):
            balancing.append(claim_imbalance(pcn, charge, adjusted, paid,
                                             self.ctx.at(self.position)))
        declared, share = self.declared, self.share
        if not patient_share_agrees(declared, share):
            assert declared is not None
            balancing.append(patient_share_mismatch(pcn, declared, share,
                                                    self.ctx.at(self.position)))
        return pcn, paid, self.lines, self.count, self.position, balancing
