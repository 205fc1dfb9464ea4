"""``denials``: what payers denied, why, and what it puts at risk.

A denial is a ``denial`` review item opened for an 835 claim payment (the queue decides
what is a denial: CLP02 4, or $0 paid with denial CARCs), counted in the period of its
remittance's payment date (BPR16), whatever its status now.  Its codes are the claim
payment's stored CAS adjustments and remark codes; its dollars at risk are what the queue
ranks it by (``queue.priorities.at_risk_cents``: the claim's open balance with the denying
payer, from the ledger).  The denial rate is denials over adjudicated claims (claim
payments of the period that are not reversals), both without claims denied as duplicates
(CARC 18), which are not lost revenue but a resubmission the payer already paid.

Rows by code count a denial once under every group+CARC+RARC it carries (so that section
has no total); every other section counts each denial once and adds up to the summary.
The root cause of a denial is its largest adjustment's group and CARC.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from edi_posting.codes.describe import describe_code
from edi_posting.codes.records import CodeListName
from edi_posting.db.base import table_of
from edi_posting.db.models import (
    Adjustment,
    ClaimPayment,
    Provider,
    RemarkCode,
    Remittance,
    ReviewItem,
    ServiceLinePayment,
    SubmittedClaim,
)
from edi_posting.db.workflow import OPEN_STATES
from edi_posting.queue.priorities import at_risk_cents
from edi_posting.records.remittance_codes import ClaimStatus
from edi_posting.records.states import ReviewKind
from edi_posting.reports.finance_query import date_range, payer_ids, payer_names, rate, week_of
from edi_posting.reports.report_model import (
    Chart,
    ChartKind,
    Column,
    ColumnKind,
    Report,
    ReportQuery,
    Section,
)

__all__ = ["DUPLICATE_CARC", "Denial", "denials_report", "load_denials"]

_ITEM, _CP, _REMIT = table_of(ReviewItem), table_of(ClaimPayment), table_of(Remittance)
_ADJ, _RARC, _SVC = table_of(Adjustment), table_of(RemarkCode), table_of(ServiceLinePayment)
_CLAIM, _PROVIDER = table_of(SubmittedClaim), table_of(Provider)
_C, _N = ColumnKind.CENTS, ColumnKind.COUNT
DUPLICATE_CARC = "18"  # exact duplicate claim/service: excluded from the denial rate
TOP_CAUSES = 10


@dataclass(frozen=True, slots=True)
class Denial:
    item_id: int
    claim_payment_id: int
    payer_id: int | None
    provider: str
    paid_on: dt.date
    is_open: bool
    at_risk_cents: int
    codes: tuple[tuple[str, str, str, int], ...]  # (group, CARC, RARC or "", CAS cents)
    procedures: tuple[tuple[str, int], ...]  # (procedure, CAS cents on that line)

    @property
    def is_duplicate(self) -> bool:
        return any(carc == DUPLICATE_CARC for _, carc, _, _ in self.codes)

    @property
    def root_cause(self) -> tuple[str, str]:
        if not self.codes:
            return ("", "")
        group, carc, _, _ = max(self.codes, key=lambda c: abs(c[3]))
        return group, carc


def load_denials(conn: Connection, first: dt.date, last: dt.date,
                 payers: frozenset[int] | None) -> list[Denial]:
    rows = conn.execute(
        select(_ITEM.c.id, _ITEM.c.kind, _ITEM.c.status, _ITEM.c.amount_cents,
               _ITEM.c.submitted_claim_id, _ITEM.c.claim_payment_id,
               _ITEM.c.payer_id.label("item_payer_id"), _REMIT.c.payer_id.label("remit_payer"),
               _CLAIM.c.payer_id.label("claim_payer_id"), _REMIT.c.payment_date,
               _REMIT.c.payee_name, _PROVIDER.c.name.label("provider"))
        .join(_CP, _CP.c.id == _ITEM.c.claim_payment_id)
        .join(_REMIT, _REMIT.c.id == _CP.c.remittance_id)
        .outerjoin(_CLAIM, _CLAIM.c.id == _ITEM.c.submitted_claim_id)
        .outerjoin(_PROVIDER, _PROVIDER.c.id == _CLAIM.c.billing_provider_id)
        .where(_ITEM.c.kind == ReviewKind.DENIAL, _REMIT.c.payment_date >= first,
               _REMIT.c.payment_date <= last).order_by(_ITEM.c.id)).all()
    rows = [r for r in rows if payers is None or _payer(r) in payers]
    risk = at_risk_cents(conn, [_RiskRow(r) for r in rows])
    codes, procedures = _codes(conn, [r.claim_payment_id for r in rows])
    return [Denial(r.id, r.claim_payment_id, _payer(r), r.provider or r.payee_name or "",
                   r.payment_date, r.status in OPEN_STATES, risk[r.id],
                   tuple(codes.get(r.claim_payment_id, ())),
                   tuple(procedures.get(r.claim_payment_id, ()))) for r in rows]


def _payer(row: Any) -> int | None:
    """The payer that adjudicated (the remittance's), else the item's."""
    found = row.remit_payer if row.remit_payer is not None else row.item_payer_id
    return None if found is None else int(found)


class _RiskRow:
    """The columns ``at_risk_cents`` reads, named as the queue's rows name them."""

    def __init__(self, row: Any) -> None:
        self.id, self.kind, self.amount_cents = row.id, row.kind, row.amount_cents
        self.submitted_claim_id, self.payer_id = row.submitted_claim_id, _payer(row)
        self.claim_payer_id = row.claim_payer_id


def _codes(conn: Connection, cp_ids: list[int]) -> tuple[dict[int, list[Any]], dict[int, list[Any]]]:
    """Per claim payment: its (group, CARC, RARC, cents) and (procedure, cents) lists."""
    if not cp_ids:
        return {}, {}
    rarcs: dict[tuple[int, int | None], list[str]] = defaultdict(list)
    for r in conn.execute(select(_RARC.c.claim_payment_id, _RARC.c.service_line_payment_id,
                                 _RARC.c.code).where(_RARC.c.claim_payment_id.in_(cp_ids))
                          .order_by(_RARC.c.id)):
        rarcs[r.claim_payment_id, r.service_line_payment_id].append(r.code)
    lines = {r.id: r.procedure_code or "" for r in conn.execute(
        select(_SVC.c.id, _SVC.c.procedure_code).where(_SVC.c.claim_payment_id.in_(cp_ids)))}
    codes: dict[int, list[Any]] = defaultdict(list)
    per_line: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for a in conn.execute(select(_ADJ).where(_ADJ.c.claim_payment_id.in_(cp_ids))
                          .order_by(_ADJ.c.id)):
        line = a.service_line_payment_id
        found = rarcs.get((a.claim_payment_id, line)) or rarcs.get((a.claim_payment_id, None))
        for rarc in found or [""]:
            codes[a.claim_payment_id].append((a.group_code, a.reason_code, rarc, a.amount_cents))
        if line is not None:
            per_line[a.claim_payment_id][lines.get(line, "")] += int(a.amount_cents)
    return codes, {cp: sorted(p.items()) for cp, p in per_line.items()}


def _adjudicated(conn: Connection, first: dt.date, last: dt.date,
                 payers: frozenset[int] | None) -> dict[int | None, int]:
    """Payer -> claim payments adjudicated in the period (no reversals, no CARC 18)."""
    duplicate = select(_ADJ.c.claim_payment_id).where(_ADJ.c.reason_code == DUPLICATE_CARC)
    rows = conn.execute(
        select(_REMIT.c.payer_id).select_from(_CP.join(_REMIT, _REMIT.c.id == _CP.c.remittance_id))
        .where(_REMIT.c.payment_date >= first, _REMIT.c.payment_date <= last,
               _CP.c.status_code != ClaimStatus.REVERSED, _CP.c.id.not_in(duplicate)))
    counted = Counter(r.payer_id for r in rows)
    return {p: n for p, n in counted.items() if payers is None or p in payers}


def denials_report(conn: Connection, query: ReportQuery) -> Report:
    first, last = date_range(query)
    payers = payer_ids(conn, query.payer)
    denials = load_denials(conn, first, last, payers)
    counted = [d for d in denials if not d.is_duplicate]
    adjudicated = _adjudicated(conn, first, last, payers)
    names = payer_names(conn)
    by_payer = _by_payer(counted, adjudicated, names)
    by_code = _by_code(counted)
    sections = (
        Section("by_code", "By group, CARC and RARC", _CODE_COLUMNS, by_code),
        Section("by_payer", "By payer", _PAYER_COLUMNS, by_payer, _payer_total(by_payer)),
        Section("by_procedure", "By procedure", _PROCEDURE_COLUMNS, _by_procedure(counted)),
        _grouped("by_provider", "By provider", "provider", counted, lambda d: d.provider),
        _grouped("by_week", "Trend by week", "week", counted,
                 lambda d: week_of(d.paid_on).isoformat()),
        Section("root_causes", f"Top {TOP_CAUSES} root causes", _CAUSE_COLUMNS,
                _root_causes(counted)))
    summary = {"from": first.isoformat(), "to": last.isoformat(), "denials": len(counted),
               "open": sum(d.is_open for d in counted),
               "at_risk_cents": sum(d.at_risk_cents for d in counted),
               "adjudicated": sum(adjudicated.values()),
               "denial_rate": rate(len(counted), sum(adjudicated.values())),
               "duplicates_excluded": len(denials) - len(counted)}
    return Report("denials", f"Denials {first.isoformat()} to {last.isoformat()}", query,
                  sections, summary, _charts(by_code, by_payer, sections[4]))


_CODE_COLUMNS = (
    Column("group", "Group"), Column("group_description", "Group description"),
    Column("carc", "CARC"), Column("carc_description", "CARC description"),
    Column("rarc", "RARC"), Column("rarc_description", "RARC description"),
    Column("denials", "Denials", _N), Column("adjusted_cents", "Adjusted", _C),
    Column("at_risk_cents", "At risk", _C))
_PAYER_COLUMNS = (Column("payer", "Payer"), Column("denials", "Denials", _N),
                  Column("open", "Open", _N), Column("at_risk_cents", "At risk", _C),
                  Column("adjudicated", "Adjudicated claims", _N),
                  Column("denial_rate", "Denial rate", ColumnKind.PERCENT))
_PROCEDURE_COLUMNS = (Column("procedure", "Procedure"), Column("denials", "Denials", _N),
                      Column("adjusted_cents", "Adjusted", _C))
_CAUSE_COLUMNS = (Column("rank", "Rank", _N), Column("group", "Group"), Column("carc", "CARC"),
                  Column("description", "Description"), Column("denials", "Denials", _N),
                  Column("at_risk_cents", "At risk", _C),
                  Column("share", "Share of denials", ColumnKind.PERCENT))


def _by_code(denials: Iterable[Denial]) -> list[dict[str, Any]]:
    table: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for d in denials:
        seen: set[tuple[str, str, str]] = set()
        for group, carc, rarc, cents in d.codes:
            table[group, carc, rarc][1] += cents
            if (group, carc, rarc) not in seen:
                seen.add((group, carc, rarc))
                table[group, carc, rarc][0] += 1
                table[group, carc, rarc][2] += d.at_risk_cents
    return [{"group": g, "group_description": describe_code(CodeListName.GROUP, g),
             "carc": c, "carc_description": describe_code(CodeListName.CARC, c),
             "rarc": r, "rarc_description": describe_code(CodeListName.RARC, r),
             "denials": n, "adjusted_cents": cents, "at_risk_cents": risk}
            for (g, c, r), (n, cents, risk) in sorted(table.items(),
                                                      key=lambda kv: (-kv[1][0], kv[0]))]


def _by_payer(denials: list[Denial], adjudicated: dict[int | None, int],
              names: dict[int | None, str]) -> list[dict[str, Any]]:
    rows = []
    for payer in sorted({d.payer_id for d in denials} | set(adjudicated),
                        key=lambda p: names.get(p, "")):
        mine = [d for d in denials if d.payer_id == payer]
        rows.append({"payer": names.get(payer, ""), "denials": len(mine),
                     "open": sum(d.is_open for d in mine),
                     "at_risk_cents": sum(d.at_risk_cents for d in mine),
                     "adjudicated": adjudicated.get(payer, 0),
                     "denial_rate": rate(len(mine), adjudicated.get(payer, 0))})
    return rows


def _payer_total(rows: list[dict[str, Any]]) -> dict[str, Any]:
    total = {k: sum(r[k] for r in rows) for k in ("denials", "open", "at_risk_cents",
                                                   "adjudicated")}
    return {"payer": "total", **total, "denial_rate": rate(total["denials"],
                                                           total["adjudicated"])}


def _by_procedure(denials: Iterable[Denial]) -> list[dict[str, Any]]:
    table: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for d in denials:
        for procedure, cents in d.procedures:
            table[procedure][0] += 1
            table[procedure][1] += cents
    return [{"procedure": p, "denials": n, "adjusted_cents": cents}
            for p, (n, cents) in sorted(table.items(), key=lambda kv: (-kv[1][0], kv[0]))]


def _grouped(key: str, title: str, label: str, denials: list[Denial],
             by: Callable[[Denial], str]) -> Section:
    """One row per ``by(denial)``: denials, open, at risk; each denial counted once."""
    table: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for d in denials:
        row = table[by(d)]
        row[0], row[1], row[2] = row[0] + 1, row[1] + int(d.is_open), row[2] + d.at_risk_cents
    rows: list[dict[str, Any]] = [{label: name, "denials": n, "open": o, "at_risk_cents": risk}
                                  for name, (n, o, risk) in sorted(table.items())]
    columns = (Column(label, label.capitalize()), Column("denials", "Denials", _N),
               Column("open", "Open", _N), Column("at_risk_cents", "At risk", _C))
    total = {label: "total", **{k: sum(int(r[k]) for r in rows)
                                for k in ("denials", "open", "at_risk_cents")}}
    return Section(key, title, columns, rows, total)


def _root_causes(denials: list[Denial]) -> list[dict[str, Any]]:
    table: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for d in denials:
        table[d.root_cause][0] += 1
        table[d.root_cause][1] += d.at_risk_cents
    ranked = sorted(table.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0]))[:TOP_CAUSES]
    return [{"rank": n, "group": g, "carc": c,
             "description": describe_code(CodeListName.CARC, c), "denials": count,
             "at_risk_cents": risk, "share": rate(count, len(denials))}
            for n, ((g, c), (count, risk)) in enumerate(ranked, start=1)]


def _charts(by_code: list[dict[str, Any]], by_payer: list[dict[str, Any]],
            by_week: Section) -> tuple[Chart, ...]:
    carcs: Counter[str] = Counter()
    for row in by_code:
        carcs[f"{row['group']}-{row['carc']}"] += row["denials"]
    ordered = carcs.most_common()
    return (
        Chart("denials_by_carc", "Denials by CARC", ChartKind.BAR, [c for c, _ in ordered],
              {"denials": [n for _, n in ordered]}, _N),
        Chart("denials_by_payer", "Denials by payer", ChartKind.BAR,
              [r["payer"] for r in by_payer], {"denials": [r["denials"] for r in by_payer]}, _N),
        Chart("denials_by_week", "Denials by week", ChartKind.LINE,
              [r["week"] for r in by_week.rows], {"denials": [r["denials"] for r in by_week.rows]},
              _N))
