"""The ``era-pdf`` report laid out like a paper remittance advice (ReportLab).

Top: the payer and payee block and the check (method, trace, date, amount).  Then one
block per claim, as a paper remittance prints it: the patient, PCN, payer claim number,
status and dates; its service lines (procedure, dates, charge, allowed, paid), under each
line its adjustments (group-CARC and amount) and remark codes; the claim's totals.  Then
the PLB section, the check total, and a glossary describing every group code, CARC and
RARC the advice uses, as paper remittances print their codes once at the end.  The data is the report's sections
(:mod:`edi_posting.reports.era_pdf`); nothing is computed here but layout.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from edi_posting.rendering.cells import cell_text
from edi_posting.rendering.pdf import PageFlowables, data_table, paragraph, pdf_bytes
from edi_posting.reports.report_model import ColumnKind, Report, Section

__all__ = ["advice_pdf_bytes"]

_C = ColumnKind.CENTS


def advice_pdf_bytes(report: Report) -> bytes:
    """The remittance advice as PDF bytes (portrait letter, pages numbered)."""
    from reportlab.platypus import Spacer

    sections = {s.key: s for s in report.sections}
    s = report.summary
    flow: PageFlowables = [paragraph("Remittance advice", "Title"), _parties(s), Spacer(1, 8)]
    by_claim = _by_claim(sections["lines"].rows, sections["adjustments"].rows,
                         sections["remarks"].rows)
    for claim in sections["claims"].rows:
        flow += _claim_block(claim, by_claim[claim["claim"]])
    flow += [Spacer(1, 8), paragraph("Provider-level adjustments (PLB)", "Heading3")]
    plb = sections["plb"]
    flow.append(_rows_table(plb) if plb.rows else paragraph("(none)"))
    flow += [Spacer(1, 8), paragraph(
        f"Check total: {cell_text(s['amount'], _C)}  (claims paid "
        f"{cell_text(s['total_paid'], _C)}, PLB {cell_text(s['total_plb'], _C)}, "
        f"{s['claims']} claims)", "Heading3")]
    flow += _glossary(sections["adjustments"].rows, sections["remarks"].rows)
    return pdf_bytes(flow, landscape_page=False)


def _glossary(adjustments: Sequence[Mapping[str, Any]],
              remarks: Sequence[Mapping[str, Any]]) -> PageFlowables:
    """Each code the advice uses, once, with its description."""
    from reportlab.platypus import Spacer

    codes: dict[tuple[str, str], str] = {}
    for a in adjustments:
        codes[("Group", a["group"])] = a["group_description"] or "no description"
        codes[("CARC", a["carc"])] = a["carc_description"] or "no description"
    for m in remarks:
        codes[("RARC", m["code"])] = m["description"] or "no description"
    if not codes:
        return []
    rows = [[kind, code, paragraph(text, "BodyText")] for (kind, code), text in sorted(codes.items())]
    return [Spacer(1, 8), paragraph("Codes used", "Heading3"),
            data_table(["List", "Code", "Description"], rows, numeric=[False] * 3,
                       widths=[40, 40, 460])]


def _parties(s: Mapping[str, Any]) -> Any:
    rows = [["Payer", f"{s['payer'] or ''} ({s['payer_id'] or '-'})",
             "Payment", f"{s['method']} {cell_text(s['amount'], _C)}"],
            ["Payee", f"{s['payee'] or ''} ({s['payee_id'] or '-'})",
             "Trace", str(s["trace"])],
            ["Remittance", str(s["remittance"]), "Paid on",
             cell_text(s["payment_date"], ColumnKind.DATE)]]
    return data_table(["", "", "", ""], rows, numeric=[False] * 4, font_size=9,
                      widths=[60, 240, 60, 180])


def _by_claim(lines: Sequence[Mapping[str, Any]], adjustments: Sequence[Mapping[str, Any]],
              remarks: Sequence[Mapping[str, Any]]) -> dict[int, dict[str, list[Any]]]:
    grouped: dict[int, dict[str, list[Any]]] = defaultdict(
        lambda: {"lines": [], "adjustments": [], "remarks": []})
    for name, rows in (("lines", lines), ("adjustments", adjustments), ("remarks", remarks)):
        for row in rows:
            grouped[row["claim"]][name].append(row)
    return grouped


def _claim_block(claim: Mapping[str, Any], parts: Mapping[str, list[Any]]) -> PageFlowables:
    from reportlab.platypus import Spacer

    dates = " to ".join(cell_text(claim[k], ColumnKind.DATE) for k in ("from", "to")
                        if claim[k] is not None)
    head = (f"Patient {claim['patient_name'] or '-'} (member {claim['member_id'] or '-'})  "
            f"PCN {claim['pcn']}  payer claim number {claim['payer_claim_number'] or '-'}  "
            f"status {claim['status']} {claim['status_description'] or ''}  {dates}")
    rows = []
    for line in parts["lines"]:
        rows.append([str(line["line"]), line["procedure"],
                     cell_text(line["from"], ColumnKind.DATE), cell_text(line["to"], ColumnKind.DATE),
                     cell_text(line["charge"], _C), cell_text(line["allowed"], _C),
                     cell_text(line["paid"], _C), _codes(line["line"], parts)])
    claim_level = _codes(None, parts)
    if claim_level:
        rows.append(["", "claim", "", "", "", "", "", claim_level])
    rows.append(["", "Claim total", "", "", cell_text(claim["charge"], _C), "",
                 cell_text(claim["paid"], _C),
                 (f"patient resp. {cell_text(claim['patient_responsibility'], _C)}; "
                  f"adjusted {cell_text(claim['adjusted'], _C)}")])
    table = data_table(["Line", "Procedure", "From", "To", "Charge", "Allowed", "Paid",
                        "Adjustments and remarks"], rows,
                       numeric=[False, False, False, False, True, True, True, False],
                       bold_last=True, widths=[26, 62, 50, 50, 48, 48, 48, 208])
    return [paragraph(head, "Heading5"), table, Spacer(1, 6)]


def _codes(line: int | None, parts: Mapping[str, list[Any]]) -> Any:
    """A line's (or, for None, the claim's own) adjustments and remarks, as the codes (the
    glossary at the end describes them)."""
    texts = [f"{a['group']}-{a['carc']} {cell_text(a['amount'], _C)}"
             for a in parts["adjustments"] if a["line"] == line]
    texts += [f"RARC {m['code']}" for m in parts["remarks"] if m["line"] == line]
    return paragraph("; ".join(texts), "BodyText") if texts else ""


def _rows_table(section: Section) -> Any:
    return data_table([c.title for c in section.columns],
                      [[cell_text(r.get(c.key), c.kind) for c in section.columns]
                       for r in section.rows],
                      numeric=[c.kind == _C for c in section.columns])
