"""`queue show` as text: the case view's dict (``edi_posting.show_queue_item``) in sections
a person reads top to bottom, the item first, what decides it next, the commands that
finish it and the raw segments last.  Only sections that apply are printed; the JSON
(``--format json``) keeps every section, empty or not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["case_lines"]

_Section = Callable[[dict[str, Any]], list[str]]


def case_lines(detail: dict[str, Any]) -> list[str]:
    """The item's header and each section of its case, as lines of text."""
    lines = [(f"review item {detail['id']}: {detail['kind']}, {detail['status']}, "
             f"priority {detail['priority']}"),
             f"amount: {detail['amount']}",
             f"problem: {_text(detail['problem_code'])}",
             f"message: {detail['message']}",
             f"assignee: {_text(detail['assignee'])}",
             f"due date: {_text(detail['due_date'])}"]
    case = detail.get("case") or {}
    lines.append(f"payer: {_text(case.get('payer_name'))}")
    for section in _SECTIONS:
        body = section(case)
        if body:
            lines += [""] + body
    return lines


def _text(value: Any) -> str:
    return "-" if value is None or value == "" else str(value)


def _name(row: dict[str, Any]) -> str:
    last, first = row.get("patient_last_name"), row.get("patient_first_name")
    return ", ".join(str(p) for p in (last, first) if p) or "-"


def _dates(low: Any, high: Any) -> str:
    if low is None and high is None:
        return "-"
    return f"{_text(low)} to {_text(high)}"


def _balances(b: dict[str, Any]) -> str:
    return f"insurance {b['insurance']}, patient {b['patient']}, total {b['total']}"


def _claim(case: dict[str, Any]) -> list[str]:
    claim = case.get("claim")
    if not claim:
        return []
    return ["claim:",
            (f"  {claim['patient_control_number']} ({claim['status']}): patient {_name(claim)}; "
            f"payer {_text(claim['payer_name'])}; charge {claim['total_charge']}"),
            f"  balances: {_balances(claim['balances'])}"]


def _payment(case: dict[str, Any]) -> list[str]:
    p = case.get("payment")
    if not p:
        return []
    status = p["status_code"] + (f" ({p['status_description']})" if p["status_description"] else "")
    dates = p["service_dates"]
    return [f"payment (the 835 as sent): claim payment {p['claim_payment_id']}",
            f"  patient control number (CLP01): {p['patient_control_number']}",
            f"  claim status (CLP02): {status}",
            f"  payer claim number (CLP07): {_text(p['payer_claim_control_number'])}",
            f"  patient: {_name(p)}; member ID: {_text(p['member_id'])}",
            f"  service dates: {_dates(dates['from'], dates['to'])}",
            (f"  charge {p['charge']}, paid {p['paid']}, patient responsibility "
            f"{_text(p['patient_responsibility'])}"),
            (f"  check/EFT (TRN02): {p['trace_number']} ({p['payment_method']}) of "
            f"{_text(p['payment_date'])}, remittance total {p['remittance_total']}"),
            f"  payer: {_text(p['payer_name'])}",
            f"  posting state: {p['posting_state']}; file {p['file']}, {_where(p)}"]


def _codes(adjustments: list[dict[str, Any]], remarks: list[dict[str, Any]],
           indent: str) -> list[str]:
    lines = [f"{indent}{a['group']}-{a['carc']} {a['amount']}: {_text(a['carc_description'])}"
             for a in adjustments]
    return lines + [f"{indent}{r['rarc']}: {_text(r['description'])}" for r in remarks]


def _adjudication(case: dict[str, Any]) -> list[str]:
    a = case.get("adjudication")
    if not a or not (a["adjustments"] or a["remarks"] or a["lines"]):
        return []
    lines = ["adjudication (group-CARC amount, RARC):"]
    if a["adjustments"] or a["remarks"]:
        lines += ["  claim:"] + _codes(a["adjustments"], a["remarks"], "    ")
    for line in a["lines"]:
        lines.append(f"  line {line['line']} {_text(line['procedure'])}: charge {line['charge']}, "
                     f"paid {line['paid']}")
        lines += _codes(line["adjustments"], line["remarks"], "    ")
    return lines


def _candidates(case: dict[str, Any]) -> list[str]:
    shown = case.get("candidates") or []
    if not shown:
        return []
    lines = ["candidates (by PCN):"]
    for c in shown:
        paid = "yes" if c["already_paid"] else "no"
        lines += [(f"  {c['patient_control_number']} (score {_text(c['score'])}, {c['status']}): "
                  f"patient {_name(c)}; payer {_text(c['payer_name'])}; charge "
                  f"{c['total_charge']}; dates {_dates(c['statement_from'], c['statement_to'])}"),
                  f"    balances: {_balances(c['balances'])}; already paid: {paid}",
                  (f"    agreed: {', '.join(c['agreed']) or '-'}; "
                  f"differed: {', '.join(c['differed']) or '-'}")]
    return lines


def _duplicate(case: dict[str, Any]) -> list[str]:
    d = case.get("duplicate")
    if not d:
        return []
    rows = [("this payment", d["this_payment"])] + [("earlier payment", e)
                                                    for e in d["earlier_payments"]]
    return (["duplicate payment (side by side):"]
            + [f"  {label}: 835 {p['trace_number']} of {_text(p['payment_date'])}, paid {p['paid']}"
               for label, p in rows]
            + [f"  credit if applied: {d['credit_if_applied']}"])


def _denial(case: dict[str, Any]) -> list[str]:
    d = case.get("denial")
    if not d:
        return []
    number = (case.get("payment") or {}).get("payer_claim_control_number")
    return ["denial:", f"  amount at risk: {_text(d['amount_at_risk'])}",
            f"  payer claim number (CLP07): {_text(number)}"]


def _balancing(case: dict[str, Any]) -> list[str]:
    found = case.get("balancing") or []
    if not found:
        return []
    return ["balancing:"] + [
        f"  {_text(b['level'])} level at "
        f"{'row ' + str(b['row']) if b.get('row') else 'segment ' + _text(b['segment'])} "
        f"({_text(b['element'])}): "
        f"expected {_text(b['expected'])}, got {_text(b['actual'])}, "
        f"difference {_text(b['difference'])}" for b in found]


def _reversal(case: dict[str, Any]) -> list[str]:
    r = case.get("reversal")
    if r is None:
        return []
    lines = ["reversal:", f"  payer claim number (CLP07): {_text(r['payer_claim_control_number'])}"]
    lines += [f"  original: claim payment {o['claim_payment_id']}, 835 {o['trace_number']} of "
              f"{_text(o['payment_date'])}, paid {o['paid']} ({o['posting_state']})"
              for o in r["originals"]]
    if not r["originals"]:
        lines.append(f"  original: none found ({_text(r['why_no_original'])})")
    lines += [f"  candidate correction: claim payment {c['claim_payment_id']} "
              f"({c['patient_control_number']}), 835 {c['trace_number']} of "
              f"{_text(c['payment_date'])}, paid {c['paid']} ({c['posting_state']})"
              for c in r["corrections"]]
    if not r["corrections"]:
        lines.append("  candidate correction: none received with the same payer claim number")
    return lines


def _plb(case: dict[str, Any]) -> list[str]:
    p = case.get("plb")
    if not p:
        return []
    lines = ["provider adjustment (PLB):",
             (f"  reason {p['reason']} ({_text(p['reason_description'])}), reference "
             f"{_text(p['reference'])}, amount {p['amount']}, segment {_text(p['segment'])}")]
    lines += [f"  may belong to: {c['patient_control_number']} (by {c['matched_by']}, payer "
              f"{_text(c['payer_name'])})" for c in p["claims"]]
    if not p["claims"]:
        lines.append("  may belong to: no claim of ours by PCN or payer claim number")
    return lines


def _credit(case: dict[str, Any]) -> list[str]:
    c = case.get("credit")
    if not c:
        return []
    side = c["side"] + (f" ({c['payer_name']})" if c["payer_name"] else "")
    return ["credit balance:", f"  side: {side}", f"  credit: {_text(c['credit'])}",
            f"  cause: {_text(c['cause'])}",
            f"  since: {c['since']} ({c['age_days']} days)"]


def _differences(case: dict[str, Any]) -> list[str]:
    found = case.get("differences") or []
    if not found:
        return []
    return ["differences (stored set -> received set):"] + [
        f"  {d['field']}: {_text(d['stored'])} -> {_text(d['received'])}" for d in found]


def _rejection(case: dict[str, Any]) -> list[str]:
    r = case.get("rejection")
    if not r:
        return []
    lines = ["validation findings:"] + [
        f"  {f['severity']} {f['code']} at segment {_text(f['segment_position'])}"
        f"{' (' + f['element'] + ')' if f['element'] else ''}: {f['message']}"
        for f in r["findings"]]
    for ack in r["acknowledgements"]:
        verdict = "accepted" if ack["accepted"] else "rejected"
        lines += [f"  {ack['kind']} sent ({verdict}):"] + [
            f"    {s}~" for s in ack["content"].replace("\r", "").replace("\n", "").split("~")
            if s]
    if not r["acknowledgements"]:
        lines.append("  acknowledgement sent: none")
    return lines


def _billed_twice(case: dict[str, Any]) -> list[str]:
    b = case.get("billed_twice")
    if not b:
        return []
    return ["billed twice (side by side):"] + [
        f"  {side}: claim {_text(c['claim_id'])}, file {_text(c['file'])} segment "
        f"{_text(c['segment'])}, charge {_text(c['charge'])}, imported {_text(c['imported_on'])}"
        for side, c in (("earlier", b["earlier"]), ("new", b["new"]))]


def _deposit(case: dict[str, Any]) -> list[str]:
    d = case.get("deposit")
    if not d:
        return []
    lines = []
    if d["deposit"]:
        b = d["deposit"]
        lines += ["bank line:", (
            f"  deposit {b['id']} of {b['date']}: {b['amount']} ({b['left']} not met), "
            f"reference {_text(b['reference'])}, trace {_text(b['trace'])}, type "
            f"{_text(b['type'])}, '{_text(b['description'])}'")]
    if d["remittance"]:
        r = d["remittance"]
        lines += ["remittance:", (
            f"  remittance {r['remittance_id']} ({_text(r['payer'])}) trace "
            f"{_text(r['trace'])} of {r['received']}: {r['amount']}, {r['awaiting']} "
            "awaiting deposit")]
    lines.append("near it by amount and date:")
    lines += [f"  remittance {n['remittance_id']} ({_text(n['payer'])}) trace "
              f"{_text(n['trace'])} of {n['received']}: {n['awaiting']} awaiting"
              if "remittance_id" in n else
              f"  deposit {n['deposit_id']} of {n['date']}: {n['left']} not met, trace "
              f"{_text(n['trace'])}, '{n['description']}'" for n in d["near"]] or ["  none"]
    return lines


def _actions(case: dict[str, Any]) -> list[str]:
    actions = case.get("actions") or []
    if not actions:
        return []
    width = max(len(a["command"]) for a in actions)
    lines = ["to finish it:"]
    for a in actions:  # under each command, what it would post (or what it needs first)
        lines.append(f"  {a['command'].ljust(width)}  # {a['does']}")
        lines += [f"      {said}" for said in a.get("would") or []]
    return lines


def _where(p: dict[str, Any]) -> str:
    """An 835's segment, or a keyed paper EOB's row and who keyed it."""
    if p.get("keyed_by"):
        return f"row {p['segment']}, keyed by {p['keyed_by']}"
    return f"segment {p['segment']}"


def _keyed_problems(case: dict[str, Any]) -> list[str]:
    found = case.get("keyed_problems") or []
    if not found:
        return []
    return ["keyed rows to fix:"] + [
        f"  row {_text(k['row'])} {_text(k['column'])}: {k['severity']} {k['code']}"
        + (f" ({k['value']!r})" if k.get("value") else "") for k in found]


def _keyed_rows(case: dict[str, Any]) -> list[str]:
    rows = case.get("keyed_rows") or []
    if not rows:
        return []
    return ["raw rows (as keyed):"] + [f"  {r['row']:>6}  {r['text']}" for r in rows]


def _segments(case: dict[str, Any]) -> list[str]:
    segments = case.get("segments") or []
    if not segments:
        return []
    return ["raw segments (as sent):"] + [f"  {s['position']:>6}  {s['segment']}"
                                         for s in segments]


_SECTIONS: tuple[_Section, ...] = (
    _claim, _payment, _adjudication, _candidates, _duplicate, _denial, _balancing, _reversal,
    _plb, _credit, _differences, _rejection, _billed_twice, _deposit, _keyed_problems,
    _actions, _segments, _keyed_rows)
