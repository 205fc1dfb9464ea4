"""Seeded test data: matching 837 claims, 835 remittances, bank deposits and expectations.

The generator stage of the test tooling.  It consumes a claim count, a seed and a scenario
mix; it produces, under ``out``::

    837/NNNN-P.837, 837/NNNN-I.837   claims (005010X222A1 / 005010X223A2), <= 5,000 per ST
    835/NNNN-<payer>.835             one ST per payer check/EFT (or zero-pay notice)
    eob/NNNN-<payer>.csv|.json       the same checks keyed from paper, for the 835 files
                                     whose checks can all be keyed (``keyed_output``)
    bank/deposits.csv, deposits.bai  the bank's view of the money (CSV and BAI2)
    payments/patient-payments.csv    a front desk's day of patient payments (issue 24)
    expected.json                    per-claim balances and review items, totals, deposits

Same seed and options give byte-identical files: one ``random.Random(seed)`` drives every
choice and every date derives from the seed (never the clock).  Claims are produced in
rounds (one 837 file per claim type and round, then the 835s that pay them), so memory
stays bounded by one round whatever ``claims`` is; reversals, corrections, recoupments and
forwarding balances land in the rounds after.

Scenarios (``mix``: relative weights per claim; default in brackets) - see
:data:`~edi_posting.testdata.scenarios.SCENARIOS` for one line on each: paid [22],
contractual [45], denied [5], creative_denial [2], secondary [3], forwarded [3],
reversal [2], reversal_later [2], orphan_reversal [1], split [2], recoded [2],
modifier_dropped [2], truncated_pcn [2], overpaid [1], interest [3], plb_cs [1],
unknown_pcn [1].  Counts, not weights: unbalanced [1 claim], unlinked_plb [1 PLB],
duplicate_file [1 resent 835].  A given mix replaces the default weights (names left out
weigh 0); counts keep their defaults unless named.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from edi_posting.money import format_cents
from edi_posting.records.states import ReviewKind
from edi_posting.testdata.keyed_output import KeyedCheckPlan, KeyedTwins
from edi_posting.testdata.output import (
    ExpectedWriter,
    Remittance,
    X12File,
    claim_segments_837,
    remit_segments,
)
from edi_posting.testdata.patient_payments import PatientPayments
from edi_posting.testdata.scenarios import (
    COUNTED,
    DEFAULT_MIX,
    SCENARIOS,
    Claim,
    ClaimPay,
    Event,
    Line,
    Outcome,
    PayerPlan,
    PlanContext,
    Plb,
    ProviderPlan,
    Recoup,
    SubscriberPlan,
    apply_effect,
    plan_claim,
)

__all__ = ["GenerationSummary", "GeneratorError", "Separators", "generate", "parse_mix"]

MAX_CLAIMS_PER_SET = 5000
_SETS_PER_FILE = 3
_PAYER_NAMES = ("ACME HEALTH PLAN", "BLUE MEADOW INSURANCE", "STATE MEDICAID",
                "MEDICARE PART B", "UNITED VALLEY HEALTH", "HARBOR MUTUAL")
_FILING = ("12", "14", "MC", "MB", "HM", "16")  # valid in SBR09 and CLP06
_LAST = ("ALDER", "BRANT", "CORVO", "DALEN", "EVERS", "FALCO", "GARNE", "HOLLIS", "IVERS",
         "JANSEN", "KORBEL", "LINDQ", "MORAN", "NOVAK", "OSTER", "PERRAL", "QUILL", "ROWAN")
_FIRST = ("ALBA", "BRUNO", "CELIA", "DARIO", "ELENA", "FABIO", "GRETA", "HUGO", "IRIS",
          "JONAS", "KARLA", "LUCA", "MIRA", "NILS", "OLGA", "PAVEL", "RUTH", "SVEN")
_CITIES = (("SPRINGFIELD", "IL", "62701"), ("HARRISBURG", "PA", "17101"),
           ("SALEM", "OR", "97301"), ("DOVER", "DE", "19901"), ("AUSTIN", "TX", "73301"))
_PRO = (("99213", 12000, "25"), ("99214", 17500, "25"), ("99203", 15000, ""),
        ("85025", 2500, ""), ("80053", 3500, ""), ("36415", 1500, ""), ("93000", 6000, ""),
        ("71046", 9000, "26"), ("97110", 8500, "GP"), ("20610", 22000, "RT"))
_INST = (("0300", "80053", 9500), ("0320", "71046", 32000), ("0450", "99284", 85000),
         ("0636", "J1885", 4500), ("0730", "93000", 21000))
_DIAGNOSES = ("I10", "E119", "J449", "M545", "R0789", "Z0000", "K219", "N390")


class GeneratorError(ValueError):
    """Options the generator cannot honour (bad mix, clashing separators, non-empty --out)."""


@dataclass(frozen=True, slots=True)
class Separators:
    element: str = "*"
    segment: str = "~"
    line_break: str = "\n"  # written after every segment terminator: "", "\n" or "\r\n"
    component: str = ":"  # ISA16
    repetition: str = "^"  # ISA11

    def check(self) -> None:
        chosen = (self.element, self.segment, self.component, self.repetition)
        bad = [c for c in chosen if len(c) != 1 or c.isalnum() or c in " .-@\"\r\n"]
        if bad or len(set(chosen)) != 4:
            raise GeneratorError(
                f"separators must be four different single characters that are not letters, "
                f"digits, space, '.', '-' or a line break (got {chosen!r})")


@dataclass(frozen=True, slots=True)
class GenerationSummary:
    out: Path
    claims: int
    files_837: int
    files_835: int
    remittances: int  # 835 transaction sets, the resent duplicate excluded
    claim_payments: int  # CLP loops, the resent duplicate excluded
    charges_cents: int
    remitted_cents: int  # sum of BPR02

    def to_dict(self) -> dict[str, object]:
        return {"out": str(self.out), "claims": self.claims, "files": {
            "837": self.files_837, "835": self.files_835}, "remittances": self.remittances,
            "claim_payments": self.claim_payments, "charges": format_cents(self.charges_cents),
            "remitted": format_cents(self.remitted_cents)}


def parse_mix(text: str) -> dict[str, int]:
    """``"paid=60,denied=5"`` -> weights; names are scenarios or counted extras."""
    mix: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in {**SCENARIOS, **COUNTED} or not value.strip().isdigit():
            raise GeneratorError(
                f"bad --scenario-mix entry {part!r}: expected name=integer with name one of "
                f"{', '.join([*SCENARIOS, *COUNTED])}")
        mix[name] = int(value)
    return mix


def _npi(rng: random.Random) -> str:
    """A ten-digit NPI whose check digit is right (Luhn over 80840 + the first nine digits)."""
    body = str(rng.randint(1, 2)) + "".join(str(rng.randrange(10)) for _ in range(8))
    total = 0
    for position, char in enumerate(reversed("80840" + body)):
        digit = int(char) * (2 if position % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return body + str((10 - total % 10) % 10)


def _digits(rng: random.Random, count: int) -> str:
    return str(rng.randrange(10 ** (count - 1), 10 ** count))


class _Cast:
    """Payers, providers and subscribers, and the claims they bill, drawn from the seed."""

    def __init__(self, rng: random.Random, payers: int, claims: int, weights: Mapping[str, int],
                 unbalanced: set[int]) -> None:
        self.rng = rng
        ids: list[str] = []  # a list, not a set: set order changes with PYTHONHASHSEED
        while len(ids) < payers:
            candidate = _digits(rng, 5)
            ids += [] if candidate in ids else [candidate]
        self.payers = tuple(PayerPlan(
            i + 1, _PAYER_NAMES[i % 6] + (f" {i // 6 + 1}" if i >= 6 else ""), payer_id,
            _digits(rng, 9), "ACH" if i % 2 == 0 else "CHK", _FILING[i % 6], i % 3 == 2,
        ) for i, payer_id in enumerate(ids))
        count = max(2, min(12, claims // 2000 + 2))
        self.providers = {False: [self._provider(i, False) for i in range(count)],
                          True: [self._provider(i, True) for i in range(max(1, count // 3))]}
        self.sticky: dict[bool, tuple[ProviderPlan, int]] = {}
        self.names = [n for n, w in weights.items() if w > 0]
        self.weights = [weights[n] for n in self.names]
        self.unbalanced = unbalanced
        self.seq = 0

    def _provider(self, index: int, institutional: bool) -> ProviderPlan:
        city, state, zip_code = self.rng.choice(_CITIES)
        name = (f"{_LAST[index % len(_LAST)]} COMMUNITY HOSPITAL" if institutional
                else f"{_LAST[-1 - index % len(_LAST)]} FAMILY MEDICINE")
        return ProviderPlan(name, _npi(self.rng), _digits(self.rng, 9),
                        f"{self.rng.randint(1, 999)} MAIN ST", city, state, zip_code + "0001",
                        institutional)

    def draw(self, first_of_group: bool) -> str:
        if self.seq in self.unbalanced:
            return "unbalanced"
        if not self.names:
            return "contractual"
        name = self.rng.choices(self.names, self.weights)[0]
        if name in ("secondary", "forwarded") and len(self.payers) == 1:
            return "contractual"
        return "contractual" if name == "secondary" and not first_of_group else name

    def provider(self, institutional: bool) -> ProviderPlan:
        current = self.sticky.get(institutional)
        if current is None or current[1] == 0:
            current = (self.rng.choice(self.providers[institutional]), self.rng.randint(2, 6))
        self.sticky[institutional] = (current[0], current[1] - 1)
        return current[0]

    def subscriber(self, payer: PayerPlan) -> SubscriberPlan:
        rng = self.rng
        city, state, zip_code = rng.choice(_CITIES)
        born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(365 * 65))
        return SubscriberPlan(rng.choice(_LAST), rng.choice(_FIRST),
                          f"M{payer.number:02d}{_digits(rng, 9)}", born.strftime("%Y%m%d"),
                          rng.choice("FM"), f"{rng.randint(1, 9999)} ELM ST", city, state,
                          zip_code, f"G{_digits(rng, 6)}")

    def group(self, limit: int, billed_on: dt.date) -> list[Claim]:
        """One subscriber's claims (1-3; a secondary-coverage subscriber has one)."""
        rng = self.rng
        payer = rng.choice(self.payers)
        subscriber, account = self.subscriber(payer), rng.randrange(10000, 100000)
        first = self.draw(True)
        size = 1 if first == "secondary" else min(limit, rng.choice((1, 1, 2, 2, 3)))
        provider = self.provider(payer.institutional)
        claims = []
        for index in range(size):
            scenario = first if index == 0 else self.draw(False)
            claims.append(self.claim(payer, provider, subscriber, account, scenario, billed_on))
        return claims

    def claim(self, payer: PayerPlan, provider: ProviderPlan, subscriber: SubscriberPlan, account: int,
              scenario: str, billed_on: dt.date) -> Claim:
        rng = self.rng
        self.seq += 1
        pcn = f"A{account:05d}C{self.seq:07d}"
        if scenario == "truncated_pcn":
            pcn += f"-{_digits(rng, 5)}"
        count = rng.choices((1, 2, 3, 4), (40, 30, 20, 10))[0]
        count = max(count, 2) if scenario == "split" else count
        seen = billed_on - dt.timedelta(days=rng.randint(3, 40))
        lines = [self.line(n, pcn, payer.institutional, seen) for n in range(1, count + 1)]
        if scenario == "modifier_dropped" and not any(ln.modifiers for ln in lines):
            lines[0] = replace(lines[0], modifiers=("59",))
        return Claim(pcn, payer, provider, subscriber, tuple(lines), rng.choice(_DIAGNOSES),
                     scenario)

    def line(self, number: int, pcn: str, institutional: bool, seen: dt.date) -> Line:
        rng = self.rng
        day = (seen + dt.timedelta(days=rng.choice((0, 0, 0, 1, 2)))).strftime("%Y%m%d")
        if institutional:
            revenue, code, fee = rng.choice(_INST)
            return Line(number, code, (), fee + rng.randrange(0, 5000, 25), 1, day,
                        f"{pcn}-{number}", revenue)
        code, fee, modifier = rng.choice(_PRO)
        units = rng.randint(1, 4) if code == "97110" else 1
        modifiers = (modifier,) if modifier and rng.random() < 0.5 else ()
        return Line(number, code, modifiers, (fee + rng.randrange(0, 3000, 25)) * units, units,
                    day, f"{pcn}-{number}", None)


@dataclass
class _SetDraft:
    payer: PayerPlan
    provider: ProviderPlan
    kind: str
    items: list[Event]


class _Run:
    """One generation: the cast, the 835 schedule, control numbers and the expected writer."""

    def __init__(self, out: Path, claims: int, seed: int, payers: int,
                 mix: Mapping[str, int], separators: Separators) -> None:
        self.rng = rng = random.Random(seed)
        self.out, self.claims, self.seps = out, claims, separators
        weights = {n: mix.get(n, 0) for n in SCENARIOS}
        counts = {n: mix.get(n, d) for n, d in COUNTED.items()}
        unbalanced = set(rng.sample(range(claims), min(claims, counts["unbalanced"])))
        self.cast = _Cast(rng, payers, claims, weights, unbalanced)
        self.start = dt.date(2025, 1, 6) + dt.timedelta(days=rng.randrange(300))
        self.interchange = 100000000 + rng.randrange(1, 800000000)
        self.group_control = 0
        self.icn = 0
        self.trace = 0
        self.schedule: dict[int, dict[tuple[int, str, str], _SetDraft]] = {}
        self.recoups: list[tuple[PayerPlan, ProviderPlan, int, list[int], Recoup]] = []
        # claims whose expected outcome waits for their recoupment (PCN -> claim, outcome)
        self.awaiting_recoup: dict[str, tuple[Claim, Outcome]] = {}
        self.unlinked_left = counts["unlinked_plb"]
        self.duplicates = counts["duplicate_file"]
        self.expected = ExpectedWriter(out, rng, seed=seed, claims=claims, payers=self.cast.payers,
                                       weights=weights, counts=counts)
        self.ctx = PlanContext(rng, self.cast.payers, self.next_icn)
        self.files_837: list[str] = []
        self.files_835: list[str] = []
        self.patient_payments = PatientPayments(seed)
        self.twins = KeyedTwins(out)  # keyed-EOB twins of some 835 files (DIR/eob/)

    def next_icn(self, payer: PayerPlan) -> str:
        self.icn += 1
        return f"{payer.number:02d}{self.start:%y}{self.icn:09d}"

    def next_control(self) -> tuple[int, int]:
        self.interchange += 1
        self.group_control += 1
        return self.interchange, self.group_control

    # --- claims ---------------------------------------------------------------------------
    def run(self) -> GenerationSummary:
        set_size = min(MAX_CLAIMS_PER_SET, max(2, math.ceil(self.claims / 8)))
        round_size = set_size * _SETS_PER_FILE
        made, number = 0, 0
        while made < self.claims or self.schedule:
            billed_on = self.start + dt.timedelta(days=7 * number)
            batch: list[Claim] = []
            while made + len(batch) < min(self.claims, made + round_size):
                limit = min(self.claims, made + round_size) - made - len(batch)
                batch.extend(self.cast.group(limit, billed_on))
            batch = [self.plan(c, number) for c in batch]
            made += len(batch)
            for institutional in (False, True):
                chosen = [c for c in batch if c.payer.institutional == institutional]
                if chosen:
                    self.write_837(number, chosen, set_size, billed_on, institutional)
            self.write_835_round(number, billed_on + dt.timedelta(days=21))
            number += 1
        self.resend_duplicates()
        self.expected.files["eob"] = self.twins.written
        for claim, outcome in self.awaiting_recoup.values():  # rounds ran out first
            self.expected.claim(claim, outcome)
        done = self.expected.finish(self.files_837, self.files_835, {
            "patient_payments": self.patient_payments.write(self.out)})
        return GenerationSummary(self.out, self.claims, len(self.files_837), len(self.files_835),
                                 done["remittances"], done["claim_payments"], done["charges"],
                                 done["remitted"])

    def plan(self, claim: Claim, round_number: int) -> Claim:
        plan = plan_claim(self.ctx, claim)
        outcome = Outcome(insurance_cents=claim.charge_cents)
        for event in plan.events:
            apply_effect(outcome, event)
            drafts = self.schedule.setdefault(round_number + event.offset, {})
            key = (claim.payer.number, claim.provider.npi, event.kind)
            drafts.setdefault(key, _SetDraft(claim.payer, claim.provider, event.kind, []))
            drafts[key].items.append(event)
        if plan.recoup is not None:
            recoup = plan.recoup
            self.recoups.append((claim.payer, claim.provider, round_number + recoup.offset,
                                 [recoup.cents], recoup))
        outcome.review.extend(plan.review)
        if plan.recoup is not None:
            self.awaiting_recoup[plan.claim.pcn] = (plan.claim, outcome)
        else:
            self.expected.claim(plan.claim, outcome)
            paid_on = self.start + dt.timedelta(days=7 * round_number + 28)
            self.patient_payments.consider(plan.claim, outcome, paid_on)
        return plan.claim

    def write_837(self, number: int, claims: list[Claim], set_size: int, day: dt.date,
                  institutional: bool) -> None:
        name = f"{number + 1:04d}-{'I' if institutional else 'P'}.837"
        version = "005010X223A2" if institutional else "005010X222A1"
        isa, gs = self.next_control()
        with X12File(self.out / "837" / name, self.seps, "PRACTICE01", "CLEARHOUSE01", isa, gs,
                     day, "HC", version) as x12:
            for start in range(0, len(claims), set_size):
                x12.begin(version)
                x12.write(claim_segments_837(claims[start:start + set_size], x12.set_count,
                                             day, self.seps.component, institutional))
                x12.end()
        self.files_837.append(name)

    # --- remittances ------------------------------------------------------------------------
    def write_835_round(self, number: int, day: dt.date) -> None:
        drafts = self.schedule.pop(number, {})
        for payer in self.cast.payers:
            mine = [d for (p, _, _), d in drafts.items() if p == payer.number]
            if not mine:
                continue
            name = f"{len(self.files_835) + 1:04d}-{payer.payer_id}.835"
            isa, gs = self.next_control()
            with X12File(self.out / "835" / name, self.seps, payer.payer_id, "PRACTICE01", isa,
                         gs, day, "HP", "005010X221A1") as x12:
                for draft in mine:
                    self.write_remittance(x12, name, draft, number, day)
            self.twins.finish_file(name)
            self.files_835.append(name)

    def write_remittance(self, x12: X12File, name: str, draft: _SetDraft, number: int,
                         day: dt.date) -> None:
        pays = [e.item for e in draft.items if isinstance(e.item, ClaimPay)]
        plbs = [e.item for e in draft.items if isinstance(e.item, Plb)]
        interest = sum(p.interest_cents for p in pays)
        if interest:
            plbs.append(Plb("L6", "", -interest))
        paid = sum(p.paid_cents for p in pays)
        if draft.kind == "main":
            plbs += self.recoup_from(draft, number, paid - sum(p.cents for p in plbs))
            plbs += self.unlinked(paid - sum(p.cents for p in plbs))
        net = paid - sum(p.cents for p in plbs)
        assert net >= 0, "a remittance would net negative"  # plans are built not to
        self.trace += 1
        method = "NON" if net == 0 else draft.payer.method
        trace = f"{'EFT' if method == 'ACH' else ''}{draft.payer.number:02d}{self.trace:08d}"
        st02 = x12.begin(None)
        x12.write(remit_segments(draft.payer, draft.provider, pays, plbs, net, method, trace,
                                 day, self.seps.component))
        x12.end()
        self.expected.remittance(Remittance(name, st02, trace, draft.payer, draft.provider,
                                            method, net, day), draft.items, plbs)
        self.twins.add(KeyedCheckPlan(draft.payer, tuple(pays), tuple(plbs), net, method, trace,
                                      day))

    def recoup_from(self, draft: _SetDraft, number: int, net: int) -> list[Plb]:
        taken: list[Plb] = []
        for payer, provider, due, left, recoup in self.recoups:
            if (payer, provider) != (draft.payer, draft.provider) or due > number or net <= 0:
                continue
            amount = min(left[0], net)
            if amount > 0:
                left[0] -= amount
                net -= amount
                taken.append(Plb("WO", recoup.icn, amount, recoup.pcn))
                self.recouped(recoup.pcn, amount, done=left[0] == 0)
        self.recoups = [r for r in self.recoups if r[3][0] > 0]
        return taken

    def recouped(self, pcn: str, amount: int, *, done: bool) -> None:
        """A WO recovery of the payment import held as a duplicate takes its cash back
        from unapplied cash; the claim's balances never moved."""
        claim, outcome = self.awaiting_recoup[pcn]
        outcome.unapplied_cents -= amount
        outcome.recouped_cents += amount
        if done:
            del self.awaiting_recoup[pcn]
            self.expected.claim(claim, outcome)

    def unlinked(self, net: int) -> list[Plb]:
        if self.unlinked_left <= 0 or net < 200:
            return []
        self.unlinked_left -= 1
        amount = min(net // 2, self.rng.randrange(500, 5001))
        return [Plb("WO", f"99{self.rng.randrange(10 ** 10, 10 ** 11)}", amount, None,
                    ReviewKind.UNLINKED_PLB)]

    def resend_duplicates(self) -> None:
        """Resend early 835s under a new ISA control number, otherwise byte for byte."""
        for original in self.files_835[: self.duplicates]:
            isa, _ = self.next_control()
            text = (self.out / "835" / original).read_bytes().decode("ascii")  # keep CRLF
            head, tail = text[:106], text[106:]
            old = head.split(self.seps.element)[13]
            cut = tail.rfind("IEA" + self.seps.element)
            tail = tail[:cut] + tail[cut:].replace(old, f"{isa:09d}", 1)
            name = f"{len(self.files_835) + 1:04d}-{original[5:-4]}-resent.835"
            resent = head.replace(old, f"{isa:09d}", 1) + tail
            (self.out / "835" / name).write_bytes(resent.encode("ascii"))
            self.files_835.append(name)
            self.expected.duplicate(name, original)


def generate(out: Path, claims: int, seed: int = 1, payers: int = 3,
             mix: Mapping[str, int] | None = None,
             separators: Separators | None = None) -> GenerationSummary:
    """Write a matching 837/835/bank set for ``claims`` claims under ``out`` (see module doc).

    ``mix`` maps scenario names to weights and counted extras to counts; None is the default
    mix.  Raises :class:`GeneratorError` for options it cannot honour, before writing.
    """
    seps = separators or Separators()
    seps.check()
    if claims < 1 or not 1 <= payers <= 99:
        raise GeneratorError("--claims must be at least 1 and --payers between 1 and 99")
    chosen = dict(DEFAULT_MIX) if mix is None else dict(mix)
    if mix is not None and not any(chosen.get(n, 0) for n in SCENARIOS):
        chosen.update(DEFAULT_MIX)  # only counts given: keep the default weights
    for sub in ("837", "835", "bank", "eob"):
        target = out / sub
        if target.exists() and any(target.iterdir()):
            raise GeneratorError(f"{target} is not empty: choose a new --out or empty it")
        target.mkdir(parents=True, exist_ok=True)
    try:
        return _Run(out, claims, seed, payers, chosen, seps).run()
    except BaseException:  # leave no half-written set behind
        for sub in ("837", "835", "bank", "payments", "eob"):
            shutil.rmtree(out / sub, ignore_errors=True)
        (out / ".expected-claims.partial").unlink(missing_ok=True)
        raise


def iter_scenario_help() -> Iterator[str]:
    """One line per scenario with its default weight, for --help."""
    for name, text in SCENARIOS.items():
        yield f"{name} [{DEFAULT_MIX[name]}]: {text}"
    yield "counts: " + ", ".join(f"{n} [{c}]" for n, c in COUNTED.items())

