"""The generator's writers: X12 interchanges, bank deposit files and ``expected.json``.

Consumes the claims, claim payments and remittances that :mod:`edi_posting.testdata.generator`
plans; produces bytes on disk.  X12 is streamed set by set (one interchange and one
functional group per file; SE01, GE01 and IEA01 counted as written).  The bank side
(``bank/deposits.csv`` and BAI2 ``bank/deposits.bai``) is derived from the remittances with
a few deposits missing, a few extra and one bulk deposit of several checks, all recorded
in ``expected.json`` under ``deposits``.  Per-claim expectations stream to a side file
while claims are planned and are spliced into ``expected.json`` at the end, so memory does
not grow with the number of claims.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TextIO

from edi_posting.money import format_cents
from edi_posting.records.states import ReviewKind
from edi_posting.testdata.scenarios import (
    Claim,
    ClaimPay,
    Event,
    Outcome,
    PayerPlan,
    Plb,
    ProviderPlan,
    ServicePay,
)

if TYPE_CHECKING:
    from edi_posting.testdata.generator import Separators

__all__ = [
    "RULES",
    "ExpectedWriter",
    "Remittance",
    "X12File",
    "claim_segments_837",
    "remit_segments",
]

Segment = list[str]

RULES = [
    "Import every 837 first, then every 835, each in file-name order.",
    "An 837 claim posts Dr insurance_ar / Cr gross_charges for CLM02.",
    ("A paid claim payment (CLP02 1/2/3/19) credits insurance_ar by CLP03: cash for CLP04, "
     "contractual_adjustments for CO, other_adjustments for OA/PI, patient_ar for PR."),
    ("Forwarded (CLP02 19 with NM1*TT): PR moves to the next payer's insurance_ar, not to the "
     "patient; the crossover payer's own 835 is not generated, so that amount stays owed by "
     "insurance."),
    ("Denied (CLP02 4, or 1/2/3 with $0 paid and only denial CARCs): nothing posts, the claim "
     "stays open at its full insurance balance, review item 'denial'."),
    ("A reversal (CLP02 22) posts the exact negation of the original; its correction posts as "
     "a new payment.  Reversal and correction in different 835s raise 'awaiting_correction'."),
    ("A reversal whose original was never received is held ('orphan_reversal'): its (negative) "
     "money sits in unapplied cash; the correction that follows it posts normally."),
    ("A claim that fails balancing is held ('balancing_failure'): nothing of it posts and its "
     "CLP04 sits in unapplied cash."),
    ("A payment whose CLP01 names no 837 claim raises 'unmatched_payment'; its CLP04 sits in "
     "unapplied cash.  Truncated CLP01s (a prefix of one PCN) match that claim."),
    ("A claim paid twice by its payer (the same lines adjudicated again) is never posted "
     "twice: the second payment's CLP04 sits in unapplied cash, owned by an "
     "'unmatched_payment' item (DUPLICATE_PAYMENT).  A later PLB WO naming its CLP07 takes "
     "that cash back from unapplied cash (the item resolves itself when all of it is "
     "recovered); the claim's balances never move."),
    ("Other PLB amounts post to provider_adjustments (L6 to interest_income) and never change "
     "a claim's balance; a WO whose reference is no CLP07 we received raises 'unlinked_plb'.  "
     "Positive PLB amounts reduce BPR02; L6 is negative (interest is paid to the provider)."),
    "A resent 835 (same content, new ISA13) posts nothing: 'already_imported'.",
    ("Ties: charges = payments + contractual + other adjustments + insurance balances + "
     "patient balances; remitted (sum of BPR02) = payments + unapplied cash + recouped (WO "
     "recoveries of held duplicates, taken from unapplied cash) - PLB net."),
]


class X12File:
    """One interchange with one functional group, written segment by segment."""

    def __init__(self, path: Path, seps: Separators, sender: str, receiver: str, isa13: int,
                 gs06: int, day: dt.date, functional: str, version: str) -> None:
        self.seps, self.version = seps, version
        self.set_id = "837" if functional == "HC" else "835"
        self.end_of_segment = seps.segment + seps.line_break
        self.isa13, self.gs06 = isa13, gs06
        self.set_count = self.segments = 0
        self.handle: TextIO = open(path, "w", encoding="ascii", newline="")  # noqa: SIM115 (closed in __exit__)
        self.handle.write(seps.element.join([
            "ISA", "00", " " * 10, "00", " " * 10, "ZZ", f"{sender:<15}", "ZZ", f"{receiver:<15}",
            f"{day:%y%m%d}", "1200", seps.repetition, "00501", f"{isa13:09d}", "0", "P",
            seps.component]) + self.end_of_segment)
        self.write([["GS", functional, sender, receiver, f"{day:%Y%m%d}", "1200", str(gs06), "X",
                     version]])

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 trace: TracebackType | None) -> None:
        if kind is None:
            self.write([["GE", str(self.set_count), str(self.gs06)],
                        ["IEA", "1", f"{self.isa13:09d}"]])
        self.handle.close()

    def write(self, segments: Sequence[Segment]) -> None:
        join, end = self.seps.element.join, self.end_of_segment
        self.handle.write("".join(join(s) + end for s in segments))
        self.segments += len(segments)

    def begin(self, st03: str | None) -> str:
        self.set_count += 1
        control = f"{self.set_count:04d}"
        self.segments = 0
        self.write([["ST", self.set_id, control] + ([st03] if st03 else [])])
        return control

    def end(self) -> None:
        self.write([["SE", str(self.segments + 1), f"{self.set_count:04d}"]])


def _trim(segment: Segment) -> Segment:
    while segment and segment[-1] == "":
        segment.pop()
    return segment


# --- 837 ------------------------------------------------------------------------------------
def claim_segments_837(claims: Sequence[Claim], set_number: int, day: dt.date, component: str,
                       institutional: bool) -> list[Segment]:
    """Header, then provider (HL 20) / subscriber (HL 22) / claims, in the order given."""
    out: list[Segment] = [
        ["BHT", "0019", "00", f"{day:%Y%m%d}{set_number:04d}{'I' if institutional else 'P'}",
         f"{day:%Y%m%d}", "1200", "CH"],
        ["NM1", "41", "2", "GENERATED PRACTICE GROUP", "", "", "", "", "46", "PRACTICE01"],
        ["PER", "IC", "BILLING OFFICE", "TE", "5555550100"],
        ["NM1", "40", "2", "CLEARING HOUSE", "", "", "", "", "46", "CLEARHOUSE01"]]
    hl, provider_hl, last_provider, last_subscriber = 0, 0, None, None
    for claim in claims:
        if claim.provider is not last_provider:
            hl += 1
            provider_hl, last_provider, last_subscriber = hl, claim.provider, None
            out += _provider_837(hl, claim.provider)
        if claim.subscriber is not last_subscriber:
            hl += 1
            last_subscriber = claim.subscriber
            out += _subscriber_837(hl, provider_hl, claim)
        out += _claim_837(claim, component)
    return out


def _provider_837(hl: int, provider: ProviderPlan) -> list[Segment]:
    taxonomy = "282N00000X" if provider.institutional else "207Q00000X"
    return [["HL", str(hl), "", "20", "1"], ["PRV", "BI", "PXC", taxonomy],
            ["NM1", "85", "2", provider.name, "", "", "", "", "XX", provider.npi],
            ["N3", provider.street], ["N4", provider.city, provider.state, provider.zip_code],
            ["REF", "EI", provider.ein]]


def _subscriber_837(hl: int, parent: int, claim: Claim) -> list[Segment]:
    sub, payer = claim.subscriber, claim.payer
    return [["HL", str(hl), str(parent), "22", "0"],
            ["SBR", "S" if claim.prior_payer else "P", "18", sub.group, "", "", "", "", "",
             payer.filing],
            ["NM1", "IL", "1", sub.last, sub.first, "", "", "", "MI", sub.member_id],
            ["N3", sub.street], ["N4", sub.city, sub.state, sub.zip_code],
            ["DMG", "D8", sub.birth_date, sub.sex],
            ["NM1", "PR", "2", payer.name, "", "", "", "", "PI", payer.payer_id]]


def _claim_837(claim: Claim, c: str) -> list[Segment]:
    charge = format_cents(claim.charge_cents)
    if claim.provider.institutional:
        dates = sorted(line.service_date for line in claim.lines)
        out = [["CLM", claim.pcn, charge, "", "", f"13{c}A{c}1", "", "A", "Y", "Y"],
               ["DTP", "434", "RD8", f"{dates[0]}-{dates[-1]}"], ["CL1", "3", "", "01"],
               ["HI", f"ABK{c}{claim.diagnosis}"]]
    else:
        out = [["CLM", claim.pcn, charge, "", "", f"11{c}B{c}1", "Y", "A", "Y", "Y"],
               ["HI", f"ABK{c}{claim.diagnosis}"]]
    if claim.prior_payer is not None:
        sub, prior = claim.subscriber, claim.prior_payer
        out += [["SBR", "P", "18", sub.group, "", "", "", "", "", prior.filing],
                ["AMT", "D", format_cents(claim.prior_paid_cents)], ["OI", "", "", "Y", "", "", "Y"],
                ["NM1", "IL", "1", sub.last, sub.first, "", "", "", "MI", sub.member_id],
                ["NM1", "PR", "2", prior.name, "", "", "", "", "PI", prior.payer_id]]
    for line in claim.lines:
        procedure = c.join(["HC", line.code, *line.modifiers])
        service = (["SV2", line.revenue_code or "", procedure, format_cents(line.charge_cents),
                    "UN", str(line.units)] if claim.provider.institutional else
                   ["SV1", procedure, format_cents(line.charge_cents), "UN", str(line.units), "",
                    "", "1"])
        out += [["LX", str(line.number)], service, ["DTP", "472", "D8", line.service_date],
                ["REF", "6R", line.control_number]]
    return out


# --- 835 ------------------------------------------------------------------------------------
def remit_segments(payer: PayerPlan, provider: ProviderPlan, pays: Sequence[ClaimPay],
                   plbs: Sequence[Plb], net_cents: int, method: str, trace: str, day: dt.date,
                   component: str) -> list[Segment]:
    """Everything between ST and SE of one 835: BPR02 = sum(CLP04) - sum(PLB) = ``net_cents``."""
    date = f"{day:%Y%m%d}"
    amount = format_cents(net_cents)
    if method == "ACH":
        bpr = ["BPR", "I", amount, "C", "ACH", "CCP", "01", "0" + payer.ein[:8], "DA",
               payer.ein[::-1], "1" + payer.ein, "", "01", "1" + provider.npi[:8], "DA",
               provider.ein[::-1], date]
    else:
        bpr = ["BPR", "H" if method == "NON" else "I", amount, "C", method] + [""] * 11 + [date]
    out: list[Segment] = [
        bpr, ["TRN", "1", trace, "1" + payer.ein], ["DTM", "405", date], ["N1", "PR", payer.name],
        ["N3", f"PO BOX {payer.number}000"], ["N4", "HARRISBURG", "PA", "17101"],
        ["PER", "BL", "EDI SUPPORT", "TE", f"800555{payer.number:04d}"],
        ["N1", "PE", provider.name, "XX", provider.npi], ["REF", "TJ", provider.ein]]
    if pays:
        out.append(["LX", "1"])
    received = f"{day - dt.timedelta(days=14):%Y%m%d}"
    for pay in pays:
        out += _claim_835(pay, received, component)
    for start in range(0, len(plbs), 6):  # up to six adjustments per PLB segment
        pairs = [[f"{p.reason}{component}{p.reference}" if p.reference else p.reason,
                  format_cents(p.cents)] for p in plbs[start:start + 6]]
        out.append(["PLB", provider.npi, f"{day.year}1231", *(e for pair in pairs for e in pair)])
    return out


def _claim_835(pay: ClaimPay, received: str, c: str) -> list[Segment]:
    claim, sub = pay.claim, pay.claim.subscriber
    out: list[Segment] = [
        ["CLP", pay.sent_pcn, pay.status, format_cents(pay.charge_cents),
         format_cents(pay.paid_cents), format_cents(pay.patient_cents), claim.payer.filing,
         pay.icn, "13" if claim.provider.institutional else "11", "1"],
        ["NM1", "QC", "1", sub.last, sub.first, "", "", "", "MI", sub.member_id]]
    if pay.crossover is not None:
        out.append(["NM1", "TT", "2", pay.crossover.name, "", "", "", "", "PI",
                    pay.crossover.payer_id])
    if pay.remark:
        out.append(["MOA", "", "", pay.remark])
    out.append(["DTM", "050", received])
    if pay.interest_cents:
        out.append(["AMT", "I", format_cents(pay.interest_cents)])
    for service in pay.services:
        out += _service_835(service, c)
    return out


def _service_835(service: ServicePay, c: str) -> list[Segment]:
    line = service.line
    original = c.join(["HC", line.code, *line.modifiers]) if service.has_original else ""
    out: list[Segment] = [_trim([
        "SVC", c.join(["HC", service.code, *service.modifiers]),
        format_cents(service.charge_cents), format_cents(service.paid_cents),
        line.revenue_code or "", str(line.units), original]),
        ["DTM", "472", line.service_date]]
    groups: dict[str, list[str]] = {}
    for cas in service.adjustments:
        groups.setdefault(cas.group, []).extend([cas.reason, format_cents(cas.cents), ""])
    out += [_trim(["CAS", group, *triplets]) for group, triplets in groups.items()]
    if service.has_control:
        out.append(["REF", "6R", line.control_number])
    if service.allowed_cents:
        out.append(["AMT", "B6", format_cents(service.allowed_cents)])
    out += [["LQ", "HE", remark] for remark in service.remarks]
    return out


# --- expectations -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Remittance:
    file: str
    control: str  # ST02
    trace: str  # TRN02
    payer: PayerPlan
    provider: ProviderPlan
    method: str  # BPR04
    amount_cents: int  # BPR02
    day: dt.date  # BPR16


_TOTALS = ("payments", "contractual", "other", "patient_resp", "forwarded", "unapplied",
           "recouped")


class ExpectedWriter:
    """Collects what the engine should end up with and writes expected.json and the bank."""

    def __init__(self, out: Path, rng: random.Random, **generator: Any) -> None:
        self.rng, self.out = rng, out
        self.generator = {k: ([p.payer_id for p in v] if k == "payers" else v)
                          for k, v in generator.items()}
        self.side = out / ".expected-claims.partial"
        self.claims_file: TextIO = open(self.side, "w", encoding="utf-8")  # noqa: SIM115 (closed in finish)
        self.separator = ""
        self.totals = Counter[str]()
        self.review = Counter[str]()
        self.remittances: list[Remittance] = []
        self.plb: list[dict[str, Any]] = []
        self.unmatched: list[dict[str, str]] = []
        self.files: dict[str, Any] = {"duplicates": []}

    def claim(self, claim: Claim, outcome: Outcome) -> None:
        entry = {"scenario": claim.scenario, "payer": claim.payer.payer_id,
                 "type": "837I" if claim.provider.institutional else "837P",
                 "charge": format_cents(claim.charge_cents),
                 "insurance_balance": format_cents(outcome.insurance_cents),
                 "patient_balance": format_cents(outcome.patient_cents),
                 "review": outcome.review}
        self.claims_file.write(f"{self.separator}    {json.dumps(claim.pcn)}: "
                               f"{json.dumps(entry)}")
        self.separator = ",\n"
        self.totals.update({"claims": 1, "charges": claim.charge_cents,
                            "insurance_balance": outcome.insurance_cents,
                            "patient_balance": outcome.patient_cents})
        self.totals.update({k: getattr(outcome, f"{k}_cents") for k in _TOTALS})
        self.review.update(outcome.review)

    def remittance(self, remit: Remittance, events: Iterable[Event], plbs: Sequence[Plb]) -> None:
        self.remittances.append(remit)
        pays = [e for e in events if isinstance(e.item, ClaimPay)]
        self.totals.update({"remitted": remit.amount_cents, "claim_payments": len(pays),
                            "plb_net": sum(p.cents for p in plbs)})
        where = {"file": remit.file, "control_number": remit.control, "trace": remit.trace}
        for plb in plbs:
            self.plb.append({**where, "reason": plb.reason, "reference": plb.reference,
                             "amount": format_cents(plb.cents), "claim": plb.pcn,
                             "review": [plb.review] if plb.review else []})
            self.review.update([plb.review] if plb.review else [])
        for event in (e for e in pays if e.action == "unmatched"):
            pay = event.item
            assert isinstance(pay, ClaimPay)
            self.unmatched.append({**where, "pcn": pay.sent_pcn,
                                   "amount": format_cents(pay.paid_cents)})
            self.review.update([ReviewKind.UNMATCHED_PAYMENT])

    def duplicate(self, name: str, original: str) -> None:
        self.files["duplicates"].append({"file": name, "duplicate_of": original,
                                         "expected": "already_imported"})

    def finish(self, files_837: list[str], files_835: list[str],
               extra: Mapping[str, Any] | None = None) -> dict[str, int]:
        self.claims_file.close()
        t = self.totals
        tie = t["payments"] + t["contractual"] + t["other"] + \
            t["insurance_balance"] + t["patient_balance"]
        remit_tie = t["payments"] + t["unapplied"] + t["recouped"] - t["plb_net"]
        if tie != t["charges"] or remit_tie != t["remitted"]:  # a bug in the plans, not input
            raise AssertionError(f"expected totals do not tie: {dict(t)}")
        deposits = write_deposits(self.out / "bank", self.remittances, self.rng)
        self.review.update(d["review"] for d in deposits["missing"] + deposits["extra"])
        totals: dict[str, Any] = {k: format_cents(t[k]) for k in (
            "charges", "payments", "contractual", "other", "patient_resp", "forwarded",
            "insurance_balance", "patient_balance", "unapplied", "plb_net", "remitted",
            "recouped")}
        _rename_totals(totals)
        totals.update(claims=t["claims"], claim_payments=t["claim_payments"],
                      remittances=len(self.remittances))
        document = {
            "schema_version": 1, "generator": self.generator, "rules": RULES,
            "files": {"837": files_837, "835": files_835, **self.files}, "totals": totals,
            "review_counts": dict(sorted(self.review.items())), "deposits": deposits,
            "remittances": [_remit_row(r) for r in self.remittances],
            "plb": self.plb, "unmatched_payments": self.unmatched, **(extra or {})}
        _splice(self.out / "expected.json", document, self.side)
        return {"remittances": len(self.remittances), "claim_payments": t["claim_payments"],
                "charges": t["charges"], "remitted": t["remitted"]}


def _rename_totals(totals: dict[str, Any]) -> None:
    for old, new in (("contractual", "contractual_adjustments"), ("other", "other_adjustments"),
                     ("patient_resp", "patient_responsibility"),
                     ("forwarded", "forwarded_to_next_payer"), ("unapplied", "unapplied_cash")):
        totals[new] = totals.pop(old)


def _remit_row(r: Remittance) -> dict[str, str]:
    return {"file": r.file, "control_number": r.control, "trace": r.trace,
            "payer": r.payer.payer_id, "payee_npi": r.provider.npi, "method": r.method,
            "amount": format_cents(r.amount_cents), "date": r.day.isoformat()}


def _splice(path: Path, document: Mapping[str, Any], side: Path) -> None:
    """expected.json = the document with the streamed per-claim entries as its last key."""
    head = json.dumps(document, indent=2)
    with open(path, "w", encoding="utf-8") as out, open(side, encoding="utf-8") as claims:
        out.write(head[:-2] + ',\n  "claims": {\n')
        while chunk := claims.read(1 << 20):
            out.write(chunk)
        out.write("\n  }\n}\n")
    side.unlink()


# --- bank -------------------------------------------------------------------------------------
def write_deposits(bank: Path, remittances: Sequence[Remittance],
                   rng: random.Random) -> dict[str, Any]:
    """deposits.csv and deposits.bai: one deposit per paying remittance, with exceptions."""
    paying = [r for r in remittances if r.amount_cents > 0]
    missing = rng.sample(paying, min(len(paying) - 1, max(1, len(paying) // 50))) \
        if len(paying) > 1 else []
    kept = [r for r in paying if r not in missing]
    checks = [r for r in kept if r.method == "CHK"]
    bulk = checks[: rng.randint(2, 4)] if len(checks) >= 3 else []
    rows = [(r.day + dt.timedelta(days=rng.randint(0, 2)), r.amount_cents, r.trace,
             f"{r.payer.name} HCCLAIMPMT" if r.method == "ACH" else f"CHECK {r.trace}")
            for r in kept if r not in bulk]
    extra = [(paying[0].day if paying else dt.date(2025, 1, 1), rng.randrange(1000, 90000),
              f"MISC{rng.randrange(10 ** 7, 10 ** 8)}", "MISC CREDIT") for _ in range(2)]
    bulk_row = ([(max(r.day for r in bulk) + dt.timedelta(days=1), sum(r.amount_cents for r in bulk),
                  f"BULK{rng.randrange(10 ** 5, 10 ** 6)}", f"DEPOSIT {len(bulk)} CHECKS")]
                if bulk else [])
    deposits = sorted(rows + extra + bulk_row)
    _write_csv(bank / "deposits.csv", deposits)
    _write_bai2(bank / "deposits.bai", deposits)
    return {
        "csv": "bank/deposits.csv", "bai2": "bank/deposits.bai", "count": len(deposits),
        "total": format_cents(sum(d[1] for d in deposits)),
        "missing": [{"trace": r.trace, "file": r.file, "amount": format_cents(r.amount_cents),
                     "review": ReviewKind.SILENT_ERA} for r in missing],
        "extra": [{"reference": d[2], "date": d[0].isoformat(), "amount": format_cents(d[1]),
                   "review": ReviewKind.LONELY_DEPOSIT} for d in extra],
        "bulk": [{"reference": d[2], "date": d[0].isoformat(), "amount": format_cents(d[1]),
                  "traces": [r.trace for r in bulk]} for d in bulk_row],
    }


Deposit = tuple[dt.date, int, str, str]


def _write_csv(path: Path, deposits: Sequence[Deposit]) -> None:
    with open(path, "w", encoding="ascii", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["date", "amount", "reference", "description"])
        writer.writerows([d.isoformat(), format_cents(a), ref, text] for d, a, ref, text in deposits)


def _write_bai2(path: Path, deposits: Sequence[Deposit]) -> None:
    """One file, one group, one account; amounts in cents; control totals per BAI2."""
    total = sum(d[1] for d in deposits)
    day = max((d[0] for d in deposits), default=dt.date(2025, 1, 1))
    details = [f"16,{'301' if text.startswith(('CHECK', 'DEPOSIT')) else '165'},{amount},Z,"
               f"{ref},{ref},{text}/" for _, amount, ref, text in deposits]
    account = [f"03,0012345678,USD,100,{total},{len(deposits)},Z/", *details,
               f"49,{2 * total},{len(details) + 2}/"]
    group = [f"02,PRACTICE01,BANK001,1,{day:%y%m%d},,USD,2/", *account,
             f"98,{2 * total},1,{len(account) + 2}/"]
    lines = [f"01,BANK001,PRACTICE01,{day:%y%m%d},0600,1,,,2/", *group,
             f"99,{2 * total},1,{len(group) + 2}/"]
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
