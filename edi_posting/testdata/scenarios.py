"""Scenario planning for the test-data generator: what the payers send back for a claim.

Consumes one billed :class:`Claim` (built by :mod:`edi_posting.testdata.generator`) and the shared
random stream; produces a :class:`Plan`: the claim payments (CLP loops) and provider
adjustments (PLB) the payers send for it, each scheduled ``offset`` 835 rounds after the
claim's own round, plus the review items the claim should raise.  The expected ledger
outcome is computed from the same records by :func:`apply_effect`, so the files and
``expected.json`` cannot drift apart.

Every plan balances by construction (line: charge - CAS = paid; claim: the sum of its
lines), except the deliberately unbalanced claim.  Amounts are integer cents throughout.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from edi_posting.records.states import ReviewKind

__all__ = [
    "COUNTED",
    "DEFAULT_MIX",
    "SCENARIOS",
    "Cas",
    "Claim",
    "ClaimPay",
    "Event",
    "Line",
    "Outcome",
    "PayerPlan",
    "Plan",
    "Plb",
    "ProviderPlan",
    "Recoup",
    "ServicePay",
    "SubscriberPlan",
    "apply_effect",
    "plan_claim",
]

# name -> what the remittance does (shown in --help and the module docstring of generator)
SCENARIOS: dict[str, str] = {
    "paid": "paid in full (CLP02 1, no adjustments)",
    "contractual": "paid with CO-45 and PR-1/2/3",
    "denied": "CLP02 4, nothing paid, CO-16/29/109 on every line",
    "creative_denial": "CLP02 1, $0 paid, CO-50/CO-197 with LQ*HE remarks",
    "secondary": "CLP02 2 from the secondary payer (CO-45, OA-23); 837 carries the primary",
    "forwarded": "CLP02 19 with NM1*TT crossover and MOA MA18; PR goes to the next payer",
    "reversal": "paid; reversed (22) and corrected together in a later 835",
    "reversal_later": "paid; reversed in a later zero-pay 835 (PLB FB -), corrected in a "
                      "third one (PLB FB +, same reference)",
    "orphan_reversal": "a reversal of a payment we never received, with its correction",
    "split": "two CLPs, same CLP01, different CLP07, MOA MA15",
    "recoded": "one line paid under another code (SVC06 = the billed code)",
    "modifier_dropped": "one line paid without its modifier and without REF*6R",
    "truncated_pcn": "20-character PCN that the payer truncates to 17 in CLP01",
    "overpaid": "paid twice: the 2nd payment is held (its cash unapplied, a duplicate "
                "'unmatched_payment'); a later PLB WO naming the 2nd CLP07 recoups it from "
                "unapplied cash when the claim's number is even, else it waits for a specialist",
    "interest": "paid late: AMT*I on the claim, PLB L6 for the set",
    "plb_cs": "paid; the set carries a PLB CS (late-payment penalty) naming CLP01",
    "unknown_pcn": "paid; plus a payment for a PCN no 837 carries (unapplied cash)",
}
DEFAULT_MIX: dict[str, int] = {
    "paid": 22, "contractual": 45, "denied": 5, "creative_denial": 2, "secondary": 3,
    "forwarded": 3, "reversal": 2, "reversal_later": 2, "orphan_reversal": 1, "split": 2,
    "recoded": 2, "modifier_dropped": 2, "truncated_pcn": 2, "overpaid": 1, "interest": 3,
    "plb_cs": 1, "unknown_pcn": 1,
}
# Counts, not weights: how many claims / PLBs / files, whatever the number of claims.
COUNTED: dict[str, int] = {"unbalanced": 1, "unlinked_plb": 1, "duplicate_file": 1}

_DENIALS = (("16", "MA130"), ("29", ""), ("109", "N418"))
_CREATIVE = (("50", "N115"), ("197", "M62"))
_RECODE = {"99214": "99213", "99213": "99212", "99203": "99202", "80053": "80048",
           "71046": "71045", "97110": "97112", "93000": "93010", "20610": "20605",
           "85025": "85027", "36415": "36416", "99284": "99283", "J1885": "J1100"}
TRUNCATED_LENGTH = 17


@dataclass(frozen=True, slots=True)
class PayerPlan:
    number: int  # 1-based
    name: str
    payer_id: str  # 837 NM1*PR (PI) and 835 NM1*TT (PV)
    ein: str  # TRN03 is "1" + EIN
    method: str  # BPR04 when money moves: ACH or CHK
    filing: str  # SBR09 / CLP06 claim filing indicator
    institutional: bool  # bills this payer on 837I


@dataclass(frozen=True, slots=True)
class ProviderPlan:
    name: str
    npi: str
    ein: str
    street: str
    city: str
    state: str
    zip_code: str
    institutional: bool


@dataclass(frozen=True, slots=True)
class SubscriberPlan:
    last: str
    first: str
    member_id: str
    birth_date: str  # CCYYMMDD
    sex: str
    street: str
    city: str
    state: str
    zip_code: str
    group: str


@dataclass(frozen=True, slots=True)
class Line:
    number: int  # LX01
    code: str  # HCPCS/CPT
    modifiers: tuple[str, ...]
    charge_cents: int  # SV102 / SV203
    units: int
    service_date: str  # DTP*472, CCYYMMDD
    control_number: str  # REF*6R
    revenue_code: str | None  # SV201 (837I)


@dataclass(frozen=True, slots=True)
class Claim:
    pcn: str  # CLM01
    payer: PayerPlan
    provider: ProviderPlan
    subscriber: SubscriberPlan
    lines: tuple[Line, ...]
    diagnosis: str
    scenario: str
    prior_payer: PayerPlan | None = None  # secondary claims: the primary (loop 2320/2330B)
    prior_paid_cents: int = 0  # 2320 AMT*D

    @property
    def charge_cents(self) -> int:  # CLM02
        return sum(line.charge_cents for line in self.lines)


@dataclass(frozen=True, slots=True)
class Cas:
    group: str  # CAS01
    reason: str  # CARC
    cents: int


@dataclass(frozen=True, slots=True)
class ServicePay:
    line: Line
    code: str  # SVC01 as adjudicated
    modifiers: tuple[str, ...]
    charge_cents: int  # SVC02
    paid_cents: int  # SVC03
    adjustments: tuple[Cas, ...]
    allowed_cents: int  # AMT*B6
    has_original: bool = False  # SVC06 carries the billed code
    has_control: bool = True  # REF*6R sent back
    remarks: tuple[str, ...] = ()  # LQ*HE


@dataclass(frozen=True, slots=True)
class ClaimPay:
    claim: Claim
    sent_pcn: str  # CLP01 as the payer sends it
    status: str  # CLP02
    icn: str  # CLP07
    services: tuple[ServicePay, ...]
    remark: str = ""  # MOA03
    crossover: PayerPlan | None = None  # NM1*TT
    interest_cents: int = 0  # AMT*I
    paid_bias_cents: int = 0  # the deliberately unbalanced claim: CLP04 off by this

    @property
    def charge_cents(self) -> int:  # CLP03
        return sum(s.charge_cents for s in self.services)

    @property
    def paid_cents(self) -> int:  # CLP04
        return sum(s.paid_cents for s in self.services) + self.paid_bias_cents

    @property
    def patient_cents(self) -> int:  # CLP05
        return sum(c.cents for s in self.services for c in s.adjustments if c.group == "PR")


@dataclass(frozen=True, slots=True)
class Plb:
    reason: str  # PLB03-1
    reference: str  # PLB03-2
    cents: int  # positive reduces the payment
    pcn: str | None = None  # the claim it names, when it names one
    review: str | None = None  # e.g. unlinked_plb


@dataclass(frozen=True, slots=True)
class Event:
    offset: int  # 835 rounds after the claim's round
    kind: str  # "main" (the payer's check) or "zero" (a zero-pay set)
    item: ClaimPay | Plb
    action: str = "post"  # post | deny | hold | unmatched | duplicate | plb


@dataclass(frozen=True, slots=True)
class Recoup:
    """An overpayment the payer takes back by PLB WO from a later check to the same payee."""

    icn: str
    pcn: str
    cents: int
    offset: int


@dataclass(frozen=True, slots=True)
class Plan:
    claim: Claim
    events: tuple[Event, ...]
    review: tuple[ReviewKind, ...] = ()
    recoup: Recoup | None = None


@dataclass(slots=True)
class Outcome:
    """Running expected figures of one claim, or of the whole set (then ``review`` is unused)."""

    insurance_cents: int = 0
    patient_cents: int = 0
    payments_cents: int = 0
    contractual_cents: int = 0
    other_cents: int = 0
    patient_resp_cents: int = 0
    forwarded_cents: int = 0
    unapplied_cents: int = 0
    recouped_cents: int = 0  # its held duplicate taken back by PLB WO (from unapplied cash)
    review: list[str] = field(default_factory=list)


def apply_effect(outcome: Outcome, event: Event) -> None:
    """What posting ``event`` does to the claim's balances (the rules in expected.json)."""
    pay = event.item
    if not isinstance(pay, ClaimPay) or event.action == "deny":  # denials post nothing
        return
    if event.action in ("hold", "unmatched", "duplicate"):  # its cash waits unapplied
        outcome.unapplied_cents += pay.paid_cents
        return
    outcome.payments_cents += pay.paid_cents
    outcome.insurance_cents -= pay.charge_cents
    for cas in (c for s in pay.services for c in s.adjustments):
        if cas.group == "CO":
            outcome.contractual_cents += cas.cents
        elif cas.group != "PR":
            outcome.other_cents += cas.cents
        elif pay.crossover is not None:
            outcome.forwarded_cents += cas.cents
            outcome.insurance_cents += cas.cents  # now owed by the next payer
        else:
            outcome.patient_resp_cents += cas.cents
            outcome.patient_cents += cas.cents


# --- adjudication of one line ---------------------------------------------------------------
def _allowed(rng: random.Random, charge: int) -> int:
    return charge * rng.randint(55, 92) // 100


def _contractual(rng: random.Random, line: Line, need_pr: bool = False) -> ServicePay:
    allowed = _allowed(rng, line.charge_cents)
    draw = 0.5 if need_pr else rng.random()
    if draw < 0.25:
        patient = Cas("PR", "1", min(allowed, rng.randrange(1000, 5001, 500)))
    elif draw < 0.75:
        patient = Cas("PR", "2", allowed * 20 // 100)
    elif draw < 0.9:
        patient = Cas("PR", "3", min(allowed, 2500))
    else:
        patient = Cas("PR", "2", 0)
    cas = [Cas("CO", "45", line.charge_cents - allowed), patient]
    return _service(line, allowed - patient.cents, allowed, cas)


def _service(line: Line, paid: int, allowed: int, cas: list[Cas], **kw: object) -> ServicePay:
    kept = tuple(c for c in cas if c.cents)
    return ServicePay(line, line.code, line.modifiers, line.charge_cents, paid, kept, allowed,
                      **kw)  # type: ignore[arg-type]


def _full(line: Line) -> ServicePay:
    return _service(line, line.charge_cents, line.charge_cents, [])


def _denied(line: Line, carc: str, rarc: str) -> ServicePay:
    return _service(line, 0, 0, [Cas("CO", carc, line.charge_cents)],
                    remarks=(rarc,) if rarc else ())


def negate(pay: ClaimPay) -> ClaimPay:
    """The CLP02 22 reversal: every amount negated, same codes, same line detail, same ICN."""
    services = tuple(replace(
        s, charge_cents=-s.charge_cents, paid_cents=-s.paid_cents, allowed_cents=-s.allowed_cents,
        adjustments=tuple(Cas(c.group, c.reason, -c.cents) for c in s.adjustments),
    ) for s in pay.services)
    return replace(pay, status="22", services=services, interest_cents=0)


# --- scenarios --------------------------------------------------------------------------------
@dataclass(slots=True)
class PlanContext:
    rng: random.Random
    payers: tuple[PayerPlan, ...]
    next_icn: Callable[[PayerPlan], str]

    def pay(self, claim: Claim, services: list[ServicePay], status: str = "1",
            **kw: object) -> ClaimPay:
        return ClaimPay(claim, claim.pcn, status, self.next_icn(claim.payer), tuple(services),
                        **kw)  # type: ignore[arg-type]

    def contractual(self, claim: Claim, need_pr: bool = False) -> ClaimPay:
        return self.pay(claim, [_contractual(self.rng, ln, need_pr) for ln in claim.lines])

    def full(self, claim: Claim) -> ClaimPay:
        return self.pay(claim, [_full(ln) for ln in claim.lines])

    def other_payer(self, payer: PayerPlan) -> PayerPlan:
        return self.payers[payer.number % len(self.payers)]


def _plain(ctx: PlanContext, claim: Claim) -> Plan:
    pay = ctx.full(claim) if claim.scenario == "paid" else ctx.contractual(claim)
    if claim.scenario == "truncated_pcn":
        pay = replace(pay, sent_pcn=claim.pcn[:TRUNCATED_LENGTH])
    return Plan(claim, (Event(0, "main", pay),))


def _denied_plan(ctx: PlanContext, claim: Claim) -> Plan:
    creative = claim.scenario == "creative_denial"
    carc, rarc = ctx.rng.choice(_CREATIVE if creative else _DENIALS)
    pay = ctx.pay(claim, [_denied(ln, carc, rarc) for ln in claim.lines], "1" if creative else "4")
    return Plan(claim, (Event(0, "main" if creative else "zero", pay, "deny"),),
                (ReviewKind.DENIAL,))


def _secondary(ctx: PlanContext, claim: Claim) -> Plan:
    services = []
    for line in claim.lines:
        allowed = _allowed(ctx.rng, line.charge_cents)
        prior = allowed * ctx.rng.randint(60, 80) // 100
        services.append(_service(line, allowed - prior, allowed, [
            Cas("CO", "45", line.charge_cents - allowed), Cas("OA", "23", prior)]))
    billed = replace(claim, prior_payer=ctx.other_payer(claim.payer),
                     prior_paid_cents=sum(c.cents for s in services for c in s.adjustments
                                          if c.group == "OA"))
    pay = replace(ctx.pay(claim, services, "2"), claim=billed)
    return Plan(billed, (Event(0, "main", pay),))


def _forwarded(ctx: PlanContext, claim: Claim) -> Plan:
    pay = replace(ctx.contractual(claim, need_pr=True), status="19", remark="MA18",
                  crossover=ctx.other_payer(claim.payer))
    return Plan(claim, (Event(0, "main", pay),))


def _reversal(ctx: PlanContext, claim: Claim) -> Plan:
    original = ctx.contractual(claim)
    correction = ctx.full(claim)  # reprocessed after an appeal: paid in full
    if claim.scenario == "reversal":
        return Plan(claim, (Event(0, "main", original), Event(1, "main", negate(original)),
                            Event(1, "main", correction)))
    # reversal_later: the reversal alone nets negative, so a negative FB zeroes its 835 and
    # the positive FB with the same reference rides with the correction (paid >= original).
    fb = original.paid_cents
    return Plan(claim, (
        Event(0, "main", original), Event(1, "zero", negate(original)),
        Event(1, "zero", Plb("FB", original.icn, -fb, claim.pcn), "plb"),
        Event(2, "main", correction), Event(2, "main", Plb("FB", original.icn, fb, claim.pcn),
                                            "plb"),
    ), (ReviewKind.AWAITING_CORRECTION,))


def _orphan(ctx: PlanContext, claim: Claim) -> Plan:
    never_seen = ctx.contractual(claim)
    correction = replace(never_seen, icn=ctx.next_icn(claim.payer))
    return Plan(claim, (Event(0, "main", negate(never_seen), "hold"),
                        Event(0, "main", correction)), (ReviewKind.ORPHAN_REVERSAL,))


def _split(ctx: PlanContext, claim: Claim) -> Plan:
    cut = ctx.rng.randint(1, len(claim.lines) - 1)
    first, second = ctx.contractual(claim), ctx.contractual(claim)
    return Plan(claim, (
        Event(0, "main", replace(first, services=first.services[:cut], remark="MA15")),
        Event(0, "main", replace(second, services=second.services[cut:], remark="MA15")),
    ))


def _recoded(ctx: PlanContext, claim: Claim) -> Plan:
    pay = ctx.contractual(claim)
    services = list(pay.services)
    index = ctx.rng.randrange(len(services))
    if claim.scenario == "recoded":
        code = _RECODE.get(services[index].code, "99212")
        services[index] = replace(services[index], code=code, has_original=True)
    else:
        index = next(i for i, s in enumerate(services) if s.modifiers)
        services[index] = replace(services[index], modifiers=(), has_control=False)
    return Plan(claim, (Event(0, "main", replace(pay, services=tuple(services))),))


def _overpaid(ctx: PlanContext, claim: Claim) -> Plan:
    """Paid twice: import holds the second payment (the same lines adjudicated again) in
    unapplied cash.  The payer takes it back by PLB WO when the claim's number is even
    (from unapplied cash: the held item resolves itself); otherwise it waits for a person."""
    first, again = ctx.full(claim), ctx.full(claim)
    digits = re.sub(r"\D", "", claim.pcn)
    recouped = not digits or int(digits[-1]) % 2 == 0
    return Plan(claim, (Event(0, "main", first), Event(1, "main", again, "duplicate")),
                (ReviewKind.UNMATCHED_PAYMENT,),
                Recoup(again.icn, claim.pcn, again.paid_cents, 2) if recouped else None)


def _interest(ctx: PlanContext, claim: Claim) -> Plan:
    pay = ctx.contractual(claim)
    interest = max(1, pay.paid_cents * ctx.rng.randint(1, 3) // 100)
    return Plan(claim, (Event(0, "main", replace(pay, interest_cents=interest)),))


def _plb_cs(ctx: PlanContext, claim: Claim) -> Plan:
    penalty = -ctx.rng.randrange(100, 2501)  # negative: the payer pays the provider more
    return Plan(claim, (Event(0, "main", ctx.contractual(claim)),
                        Event(0, "main", Plb("CS", claim.pcn, penalty, claim.pcn), "plb")))


def _unknown(ctx: PlanContext, claim: Claim) -> Plan:
    stranger = replace(claim, pcn="U" + claim.pcn[1:], subscriber=replace(
        claim.subscriber, member_id="X" + claim.subscriber.member_id[1:]))
    stray = ctx.contractual(stranger)  # no REF*6R: its lines are nobody's
    stray = replace(stray, services=tuple(replace(s, has_control=False) for s in stray.services))
    return Plan(claim, (Event(0, "main", ctx.contractual(claim)),
                        Event(0, "main", stray, "unmatched")))


def _unbalanced(ctx: PlanContext, claim: Claim) -> Plan:
    pay = replace(ctx.contractual(claim), paid_bias_cents=100)
    return Plan(claim, (Event(0, "main", pay, "hold"),), (ReviewKind.BALANCING_FAILURE,))


_PLANNERS: dict[str, Callable[[PlanContext, Claim], Plan]] = {
    "paid": _plain, "contractual": _plain, "truncated_pcn": _plain,
    "denied": _denied_plan, "creative_denial": _denied_plan, "secondary": _secondary,
    "forwarded": _forwarded, "reversal": _reversal, "reversal_later": _reversal,
    "orphan_reversal": _orphan, "split": _split, "recoded": _recoded,
    "modifier_dropped": _recoded, "overpaid": _overpaid, "interest": _interest,
    "plb_cs": _plb_cs, "unknown_pcn": _unknown, "unbalanced": _unbalanced,
}


def plan_claim(ctx: PlanContext, claim: Claim) -> Plan:
    """The remittances for ``claim`` according to its scenario."""
    return _PLANNERS[claim.scenario](ctx, claim)
