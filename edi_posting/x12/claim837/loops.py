"""Parse stage, 837: the state machine over one transaction set's segments.

Consumes the body segments of one ST..SE set, one at a time (:meth:`SetParser.feed`), and
keeps the HL hierarchy (20 billing provider, 22 subscriber, 23 patient) with the parties
named under each level as plain fields; each CLM opens a claim draft that the next HL or
CLM (or the end of the set) closes into a :class:`SubmittedClaimRecord` with its lines,
its parties (:mod:`edi_posting.x12.claim837.parties`) and its problems.
:func:`edi_posting.x12.claim837.parser.parse_claim_set` drives it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from edi_posting.money import AmountError, parse_amount, to_cents
from edi_posting.records.claim import (
    ClaimType,
    ProcedureCode,
    SubmittedClaimRecord,
    SubmittedLineRecord,
)
from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.records.source import SourceRef
from edi_posting.x12.claim837 import parties
from edi_posting.x12.claim837.layout import Area, belongs, stray_segment

__all__ = ["SetParser", "date_range", "element", "parse_date"]


def element(seg: Sequence[str], index: int) -> str:
    """Element ``index`` stripped, or "" when the segment is shorter."""
    return seg[index].strip() if index < len(seg) else ""


_el = element  # the short name the handlers below use


def parse_date(text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text[:8], "%Y%m%d").date() if len(text) >= 8 else None
    except ValueError:
        return None


def date_range(fmt: str, text: str) -> tuple[dt.date | None, dt.date | None]:
    """DTP D8 (one date) or RD8 (``from-to``)."""
    if fmt == "RD8" and "-" in text:
        start, _, end = text.partition("-")
        return parse_date(start), parse_date(end)
    day = parse_date(text)
    return day, day


@dataclass
class _Hl:
    """One HL level with the parties named under it, as plain fields until a claim closes."""

    level: str
    parent: str | None
    provider: dict[str, object] = field(default_factory=dict)
    pay_to: dict[str, object] = field(default_factory=dict)
    subscriber: dict[str, object] = field(default_factory=dict)
    payer: dict[str, object] = field(default_factory=dict)
    patient: dict[str, object] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class _ClaimDraft:
    fields: dict[str, object]
    hl_id: str
    lines: list[dict[str, object]] = field(default_factory=list)
    other_payers: list[dict[str, object]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    source: SourceRef | None = None


class SetParser:
    """A state machine over one set's segments; ``context`` names the loop we are in."""

    def __init__(self, source: SourceRef, component: str) -> None:
        self.source = source
        self.component = component
        self.hls: dict[str, _Hl] = {}
        self.hl: _Hl | None = None
        self.claim: _ClaimDraft | None = None
        self.line: dict[str, object] | None = None
        self.context = "header"
        self.claims: list[SubmittedClaimRecord] = []
        self.problems: list[Problem] = []
        self.bht: tuple[str | None, dt.date | None] = (None, None)
        self.first_service: str | None = None
        self.position = 0

    # --- helpers ------------------------------------------------------------------------
    def problem(self, code: ProblemCode, message: str, element: str | None = None,
                severity: Severity = Severity.ERROR) -> Problem:
        return Problem(code, severity, message, self.source.at(self.position), element)

    def cents(self, text: str, element: str) -> int | None:
        try:
            return to_cents(parse_amount(text))
        except AmountError as exc:
            found = self.problem(ProblemCode.BAD_AMOUNT, f"{element}: {exc}", element)
            (self.claim.problems if self.claim else self.problems).append(found)
            return None

    def composite(self, text: str) -> ProcedureCode | None:
        parts = text.split(self.component)
        if len(parts) < 2 or not parts[1]:
            return None
        return ProcedureCode(parts[0], parts[1], tuple(p for p in parts[2:6] if p))

    # --- dispatch -----------------------------------------------------------------------
    def feed(self, seg: Sequence[str], position: int) -> None:
        self.position = position
        tag = seg[0].upper()
        area = self.area()
        if not belongs(tag, area):
            self.stray(tag, area)
            return
        handler = getattr(self, f"on_{tag}", None)
        if handler is not None:
            handler(seg)

    def area(self) -> Area:
        """Which part of the set the last loop-opening segment (HL, CLM, LX) opened."""
        if self.line is not None:
            return Area.LINE
        if self.claim is not None:
            return Area.CLAIM
        return Area.PARTY if self.hl is not None else Area.HEADER

    def stray(self, tag: str, area: Area) -> None:
        """A segment that does not belong where it sits (:mod:`~edi_posting.x12.claim837.layout`):
        in a claim or a line its content is lost, so the claim's problem holds the claim."""
        found = stray_segment(tag, self.position, area, self.source)
        (self.claim.problems if self.claim is not None else self.problems).append(found)

    def on_BHT(self, seg: Sequence[str]) -> None:
        self.bht = (_el(seg, 3) or None, parse_date(_el(seg, 4)))

    def on_HL(self, seg: Sequence[str]) -> None:
        self.close_claim()
        hl_id, parent, level = _el(seg, 1), _el(seg, 2) or None, _el(seg, 3)
        self.hl = _Hl(level, parent)
        if parent is not None and parent not in self.hls:
            self.hl.problems.append(self.problem(
                ProblemCode.HL_PARENT_MISSING,
                f"HL {hl_id} names parent HL {parent}, which does not exist",
                "HL02"))
        self.hls[hl_id] = self.hl
        self.hl_id = hl_id
        self.context = f"hl{level}"

    def on_NM1(self, seg: Sequence[str]) -> None:
        qualifier, hl = _el(seg, 1), self.hl
        name = {"last": _el(seg, 3), "first": _el(seg, 4) or None, "middle": _el(seg, 5) or None,
                "id_qualifier": _el(seg, 8) or None, "id": _el(seg, 9) or None}
        if self.claim is not None:
            self.claim_nm1(qualifier, name)
            return
        target = {"85": "provider", "87": "pay_to", "IL": "subscriber", "PR": "payer",
                  "QC": "patient"}.get(qualifier)
        if hl is None or target is None:
            self.context = f"nm1-{qualifier}"
            return
        getattr(hl, target).update(name)
        self.context = target

    def claim_nm1(self, qualifier: str, name: Mapping[str, object]) -> None:
        """Inside a claim, NM1*PR/IL belong to the other-payer loops (2330A/B)."""
        if self.context.startswith("other") and self.claim and self.claim.other_payers:
            if qualifier == "PR":
                self.claim.other_payers[-1].update(payer_name=name["last"], payer_id=name["id"])
                self.context = "other_payer"
                return
            self.context = "other_subscriber" if qualifier == "IL" else "other"
            return
        self.context = "claim_provider" if self.line is None else "line_provider"

    def address(self) -> dict[str, object] | None:
        hl = self.hl
        if hl is None or self.claim is not None:
            return None
        return {"provider": hl.provider, "pay_to": hl.pay_to, "subscriber": hl.subscriber,
                "patient": hl.patient}.get(self.context)

    def on_N3(self, seg: Sequence[str]) -> None:
        target = self.address()
        if target is not None:
            target.update(line1=_el(seg, 1) or None, line2=_el(seg, 2) or None)

    def on_N4(self, seg: Sequence[str]) -> None:
        target = self.address()
        if target is not None:
            target.update(city=_el(seg, 1) or None, state=_el(seg, 2) or None,
                          postal_code=_el(seg, 3) or None)

    def on_DMG(self, seg: Sequence[str]) -> None:
        target = self.address()
        if target is not None:
            target.update(birth_date=parse_date(_el(seg, 2)), gender=_el(seg, 3) or None)

    def on_REF(self, seg: Sequence[str]) -> None:
        qualifier, value = _el(seg, 1), _el(seg, 2)
        if self.line is not None and self.context == "line" and qualifier == "6R":
            self.line["line_item_control_number"] = value
        elif self.claim is not None and self.context == "claim":
            key = {"F8": "original_payer_claim_number", "G1": "prior_authorization",
                   "EA": "medical_record_number"}.get(qualifier)
            if key:
                self.claim.fields[key] = value
        elif self.claim is not None and self.context == "other_payer" and qualifier == "F8":
            self.claim.other_payers[-1]["payer_claim_number"] = value
        elif self.context == "provider" and qualifier in ("EI", "SY") and self.hl:
            self.hl.provider["tin"] = value

    def on_SBR(self, seg: Sequence[str]) -> None:
        fields = {"responsibility": _el(seg, 1) or None, "relationship": _el(seg, 2) or None,
                  "group_number": _el(seg, 3) or None}
        if self.claim is not None:
            self.claim.other_payers.append({"responsibility": fields["responsibility"],
                                            "claim_adjustments": []})
            self.context = "other"
        elif self.hl is not None:
            self.hl.subscriber.update(fields)

    def on_PAT(self, seg: Sequence[str]) -> None:
        if self.hl is not None and self.claim is None:
            self.hl.patient["relationship"] = _el(seg, 1) or None

    def on_CLM(self, seg: Sequence[str]) -> None:
        self.close_claim()
        parts = _el(seg, 5).split(self.component)
        parts += [""] * (3 - len(parts))
        self.claim = _ClaimDraft(
            {"patient_control_number": _el(seg, 1), "facility_code": parts[0] or None,
             "facility_qualifier": parts[1] or None, "frequency_code": parts[2] or "1"},
            getattr(self, "hl_id", ""), source=self.source.at(self.position),
        )
        self.claim.fields["total_charge_cents"] = self.cents(_el(seg, 2), "CLM02")
        if not _el(seg, 1):
            self.claim.problems.append(self.problem(ProblemCode.MISSING_PCN,
                                                    "CLM01 is empty", "CLM01"))
        self.context = "claim"

    def on_DTP(self, seg: Sequence[str]) -> None:
        qualifier, fmt, text = _el(seg, 1), _el(seg, 2), _el(seg, 3)
        if self.line is not None and qualifier in ("472", "150", "151"):
            start, end = date_range(fmt, text)
            self.line["service_date_from"] = self.line.get("service_date_from") or start
            self.line["service_date_to"] = end if qualifier != "150" else self.line.get(
                "service_date_to") or end
        elif self.line is not None and self.context == "line_adjudication":
            self.line["adjudication"][-1]["paid_date"] = text  # type: ignore[index]
        elif self.claim is not None and self.line is None:
            self.claim.fields.setdefault("dates", {})[qualifier] = text  # type: ignore[index]

    def on_HI(self, seg: Sequence[str]) -> None:
        if self.claim is None:
            return
        codes = self.claim.fields.setdefault("diagnosis_codes", [])
        for element in seg[1:]:
            parts = element.split(self.component)
            if len(parts) >= 2 and parts[1]:
                codes.append(f"{parts[0]}:{parts[1]}")  # type: ignore[attr-defined]

    def on_CAS(self, seg: Sequence[str]) -> None:
        triplets = []
        for index in range(2, min(len(seg), 20), 3):
            reason, amount = _el(seg, index), _el(seg, index + 1)
            if reason:
                triplets.append((_el(seg, 1), reason, self.cents(amount, f"CAS{index + 1:02d}") or 0))
        if self.line is not None and self.context == "line_adjudication":
            self.line["adjudication"][-1]["adjustments"].extend(triplets)  # type: ignore[index]
        elif self.claim is not None and self.claim.other_payers and self.line is None:
            self.claim.other_payers[-1]["claim_adjustments"].extend(triplets)  # type: ignore[attr-defined]

    def on_AMT(self, seg: Sequence[str]) -> None:
        if self.claim is not None and self.claim.other_payers and _el(seg, 1) == "D":
            self.claim.other_payers[-1]["paid_cents"] = self.cents(_el(seg, 2), "AMT02")

    def on_LX(self, seg: Sequence[str]) -> None:
        if self.claim is None:
            return
        number = _el(seg, 1)
        self.line = {"line_number": int(number) if number.isdigit() else None,
                     "source": self.source.at(self.position), "adjudication": []}
        self.claim.lines.append(self.line)
        self.context = "line"

    def service(self, name: str, procedure: str, charge: str, charge_element: str,
                **fields: object) -> None:
        if self.line is None:
            return
        self.first_service = self.first_service or name
        self.line.update(fields, procedure=self.composite(procedure) if procedure else None,
                         charge_cents=self.cents(charge, charge_element))
        self.context = "line"

    def on_SV1(self, seg: Sequence[str]) -> None:
        self.service("SV1", _el(seg, 1), _el(seg, 2), "SV102", unit_basis=_el(seg, 3) or None,
                     units=_el(seg, 4) or None, place_of_service=_el(seg, 5) or None)

    def on_SV2(self, seg: Sequence[str]) -> None:
        self.service("SV2", _el(seg, 2), _el(seg, 3), "SV203", revenue_code=_el(seg, 1) or None,
                     unit_basis=_el(seg, 4) or None, units=_el(seg, 5) or None)

    def on_SV3(self, seg: Sequence[str]) -> None:
        self.service("SV3", _el(seg, 1), _el(seg, 2), "SV302", place_of_service=_el(seg, 3) or None)

    def on_SVD(self, seg: Sequence[str]) -> None:
        if self.line is None:
            return
        self.line["adjudication"].append({  # type: ignore[attr-defined]
            "payer_id": _el(seg, 1), "paid_cents": self.cents(_el(seg, 2), "SVD02"),
            "procedure": _el(seg, 3), "units": _el(seg, 5) or None, "adjustments": []})
        self.context = "line_adjudication"

    # --- building records -----------------------------------------------------------------
    def close_claim(self) -> None:
        draft, self.claim, self.line = self.claim, None, None
        if draft is None:
            return
        chain = self.hl_chain(draft.hl_id)
        problems = list(draft.problems) + [p for hl in chain for p in hl.problems]
        provider_hl = next((hl for hl in chain if hl.level == "20"), None)
        subscriber_hl = next((hl for hl in chain if hl.level == "22"), None)
        patient_hl = next((hl for hl in chain if hl.level == "23"), None)
        if subscriber_hl is None or not subscriber_hl.subscriber.get("last"):
            problems.append(Problem(ProblemCode.CLAIM_WITHOUT_SUBSCRIBER, Severity.ERROR,
                                    "the claim has no subscriber (loop 2000B/2010BA)",
                                    draft.source))
        lines = tuple(self.line_record(i, line) for i, line in enumerate(draft.lines, start=1))
        fields = draft.fields
        self.claims.append(SubmittedClaimRecord(
            claim_type=ClaimType.PROFESSIONAL, ordinal=len(self.claims) + 1,
            patient_control_number=str(fields["patient_control_number"]),
            total_charge_cents=int(fields["total_charge_cents"] or 0),  # type: ignore[call-overload]
            facility_code=fields["facility_code"],  # type: ignore[arg-type]
            facility_qualifier=fields["facility_qualifier"],  # type: ignore[arg-type]
            frequency_code=str(fields["frequency_code"]),
            billing_provider=parties.billing_provider(provider_hl.provider if provider_hl else {}),
            pay_to_provider=parties.billing_provider(provider_hl.pay_to) if provider_hl and provider_hl.pay_to
            else None,
            subscriber=parties.subscriber(subscriber_hl.subscriber if subscriber_hl else {}),
            patient=parties.patient(patient_hl.patient) if patient_hl and patient_hl.patient else None,
            payer=parties.payer(subscriber_hl.payer if subscriber_hl else {}),
            lines=lines,
            original_payer_claim_number=fields.get("original_payer_claim_number"),  # type: ignore[arg-type]
            prior_authorization=fields.get("prior_authorization"),  # type: ignore[arg-type]
            medical_record_number=fields.get("medical_record_number"),  # type: ignore[arg-type]
            dates=dict(fields.get("dates") or {}),  # type: ignore[call-overload]
            diagnosis_codes=tuple(fields.get("diagnosis_codes") or ()),  # type: ignore[arg-type]
            other_payers=tuple(parties.other_payer(o) for o in draft.other_payers),
            source=draft.source, problems=tuple(problems),
        ))

    def hl_chain(self, hl_id: str) -> list[_Hl]:
        chain: list[_Hl] = []
        seen: set[str] = set()
        current: str | None = hl_id
        while current is not None and current in self.hls and current not in seen:
            seen.add(current)
            chain.append(self.hls[current])
            current = self.hls[current].parent
        return chain

    def line_record(self, ordinal: int, line: dict[str, object]) -> SubmittedLineRecord:
        return SubmittedLineRecord(
            ordinal=ordinal, line_number=line.get("line_number"),  # type: ignore[arg-type]
            procedure=line.get("procedure"),  # type: ignore[arg-type]
            revenue_code=line.get("revenue_code"),  # type: ignore[arg-type]
            charge_cents=int(line.get("charge_cents") or 0),  # type: ignore[call-overload]
            units=line.get("units"), unit_basis=line.get("unit_basis"),  # type: ignore[arg-type]
            place_of_service=line.get("place_of_service"),  # type: ignore[arg-type]
            service_date_from=line.get("service_date_from"),  # type: ignore[arg-type]
            service_date_to=line.get("service_date_to"),  # type: ignore[arg-type]
            line_item_control_number=line.get("line_item_control_number"),  # type: ignore[arg-type]
            other_payer_adjudication=tuple(line.get("adjudication") or ()),  # type: ignore[arg-type]
            source=line.get("source"),  # type: ignore[arg-type]
        )
