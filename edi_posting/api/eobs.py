"""Keyed paper EOBs: the empty template a keyer fills (CSV or JSON).

No session: the template is the documented layout, not data.  Importing a filled one is
``import_files`` (authorised ``import``), which recognises keyed files by their header
(CSV) or shape (JSON).
"""

from __future__ import annotations

import json

from edi_posting.keyed.template import csv_header, json_skeleton

__all__ = ["EOB_TEMPLATE_FORMS", "eob_template"]

EOB_TEMPLATE_FORMS = ("csv", "json")


def eob_template(form: str = "csv") -> str:
    """The empty keyed-EOB template: the CSV header row, or the JSON skeleton with one
    check, one claim, one line, one adjustment and one PLB (every field empty)."""
    if form == "csv":
        return csv_header()
    if form == "json":
        return json.dumps(json_skeleton(), indent=2) + "\n"
    raise ValueError(f"unknown template form {form!r}: csv or json")
