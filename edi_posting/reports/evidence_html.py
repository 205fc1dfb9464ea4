"""The evidence packet as a page a person reads: the same content as ``packet.json``.

Every value goes through :func:`html.escape` (names and segments come from files we did
not write: a ``<script>`` in an NM1 must stay text).  No scripts, no external resources,
so the page opens the same anywhere, offline.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

__all__ = ["render_packet_html"]

_STYLE = ("body{font-family:sans-serif;margin:2em;max-width:72em}"
          "table{border-collapse:collapse;margin:.5em 0 1.5em}"
          "td,th{border:1px solid #bbb;padding:.2em .5em;text-align:left;vertical-align:top}"
          "pre{background:#f4f4f4;padding:.5em;overflow-x:auto}")


def _text(value: Any) -> str:
    return "" if value is None else escape(str(value))


def _fields(data: Mapping[str, Any], keys: Sequence[str]) -> str:
    rows = "".join(f"<tr><th>{_text(k)}</th><td>{_text(data.get(k))}</td></tr>" for k in keys)
    return f"<table>{rows}</table>"


def _table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    if not rows:
        return "<p>(none)</p>"
    head = "".join(f"<th>{_text(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{_text(r.get(c))}</td>" for c in columns) + "</tr>"
                   for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _segments(block: Mapping[str, Any] | None) -> str:
    if not block or not block.get("segments"):
        return "<p>(none)</p>"
    lines = "\n".join(f"{s['position']:>6}  {s['segment']}" for s in block["segments"])
    return f"<p>file {_text(block.get('file'))}</p><pre>{_text(lines)}</pre>"


def _lineage_rows(entries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{"entry": e["entry_id"], "kind": e["kind"], "date": e["effective_date"],
             "account": line["account"], "amount": line["amount"],
             "reason": line["reason_code"], "reverses": e["reverses_entry_id"],
             "reversed by": e["reversed_by_entry_id"], "actor": e["actor"],
             "source": " ".join(str(v) for v in (e["source"]["file"], e["source"]["segment"])
                                if v is not None), "memo": e["memo"]}
            for e in entries for line in e["lines"]]


def _claim(claim: Mapping[str, Any] | None) -> str:
    if claim is None:
        return "<p>This item names no claim, and none was posted to from it.</p>"
    patient = claim.get("patient") or {}
    payer = claim.get("payer") or {}
    summary = {**claim["claim"], "patient": f"{patient.get('last_name') or ''}, "
               f"{patient.get('first_name') or ''}", "payer": payer.get("name"),
               "account": claim.get("account_number"),
               **{f"balance {k}": v for k, v in claim["balances"].items()}}
    return (_fields(summary, list(summary)) + "<h3>Lines</h3>"
            + _table(claim["lines"], ["ordinal", "procedure", "charge", "units", "service_date",
                                      "line_item_control_number"]))


def _case(case: Mapping[str, Any]) -> list[str]:
    """The case view's candidates and the commands that finish the item."""
    candidates = [{**c, "balance": (c.get("balances") or {}).get("total"),
                   "agreed": ", ".join(c.get("agreed", [])),
                   "differed": ", ".join(c.get("differed", []))}
                  for c in case.get("candidates", [])]
    parts = []
    if candidates:
        parts += ["<h3>Candidates (by PCN)</h3>",
                  _table(candidates, ["patient_control_number", "score", "payer_name",
                                      "total_charge", "balance", "already_paid", "agreed",
                                      "differed"])]
    return parts + ["<h3>Commands that finish it</h3>",
                    _table(case.get("actions", []), ["command", "does"])]


def render_packet_html(packet: Mapping[str, Any]) -> str:
    """The whole packet as one self-contained HTML page."""
    item, meta = packet["item"], packet["packet"]
    remittance = packet.get("remittance") or {}
    title = f"Evidence packet: review item {meta['review_item_id']} ({item['kind']})"
    parts = [
        (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{_text(title)}</title>"
        f"<style>{_STYLE}</style></head><body><h1>{_text(title)}</h1>"),
        (f"<p>Generated {_text(meta['generated_at'])} by {_text(meta['generated_by'])}. "
        "Contains protected health information.</p>"),
        "<h2>Review item</h2>", _fields(item, ["id", "kind", "status", "priority", "amount",
                                               "problem_code", "message", "assignee",
                                               "due_date", "resolution"]),
        "<h3>Evidence</h3><pre>" + _text(_pretty(item.get("evidence"))) + "</pre>",
        *_case(packet.get("case") or {}),
        "<h3>History</h3>", _table(item["events"], ["at", "actor", "action", "from_status",
                                                    "to_status", "note"]),
        "<h2>Claim</h2>", _claim(packet.get("claim")),
        "<h2>Ledger lineage</h2>",
        _table(_lineage_rows(packet["ledger_lineage"]),
               ["entry", "kind", "date", "account", "amount", "reason", "reverses",
                "reversed by", "actor", "source", "memo"]),
        "<h2>Remittance (835) as received</h2>",
        _fields(remittance, ["remittance_id", "file", "st02", "trace_number", "payment",
                             "payment_date", "payer_name"]) if remittance else "",
        _segments(remittance),
        "<h2>Claim as billed (837)</h2>", _segments(packet.get("billed_claim_837")),
        "<h2>Refunds</h2>", _table(packet.get("refunds", []),
                                   ["id", "payee", "amount", "reason", "approved_by"]),
        "<h2>Claim timeline</h2>", _table(packet.get("claim_history", []),
                                          ["at", "what", "amount", "actor", "detail"]),
        "</body></html>",
    ]
    return "\n".join(parts)


def _pretty(value: Any) -> str:
    return json.dumps(value or {}, indent=2, default=str)
