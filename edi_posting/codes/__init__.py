"""The X12 code lists as versioned data: CARC, RARC, group codes, CLP02, PLB reasons.

One loader (:mod:`~edi_posting.codes.loader`) for the lists shipped beside it (``<list>.json``) or
updated by the user (:mod:`~edi_posting.codes.update`); records with start and stop dates
(:mod:`~edi_posting.codes.records`); checks of an 835's codes on its date
(:mod:`~edi_posting.codes.check835`); descriptions for output (:func:`describe_code`).
"""

from __future__ import annotations

from edi_posting.codes.loader import CodeListError, codes_dir, load_all, load_list
from edi_posting.codes.records import (
    CodeEntry,
    CodeList,
    CodeListName,
    CodeVerdict,
    parse_list_name,
)

__all__ = ["CodeEntry", "CodeList", "CodeListError", "CodeListName", "CodeVerdict",
           "codes_dir", "describe_code", "load_all", "load_list", "parse_list_name"]


def describe_code(name: CodeListName, code: str | None) -> str | None:
    """The description of ``code`` in list ``name`` (None when unknown or not shipped);
    never raises, so output that adds descriptions never fails because of a list."""
    if not code:
        return None
    try:
        return load_list(name).description(code)
    except CodeListError:
        return None
