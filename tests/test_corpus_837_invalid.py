"""Every deliberately invalid corpus 837 is rejected or flagged: by the parser's own checks
(structure, envelopes, claim checks) or, for implementation-guide faults only pyx12 knows
(code values, required loops), by ``validate`` — the check ``import --validate`` runs."""

from __future__ import annotations

import pytest

from edi_posting.api.claim_documents import claim_document
from edi_posting.x12.validation.validator import validate_path
from tests.corpus_manifest import CORPUS, manifest_rows

INVALID = [r for r in manifest_rows("837") if "deliberately invalid" in r["notes"]]


def _parser_flags(row: dict[str, str]) -> bool:
    document = claim_document(str(CORPUS / row["file"]), 1)
    severities = {p["severity"] for p in document["problems"]}
    severities |= {p["severity"] for c in document["claims"] for p in c["problems"]}
    return bool(document["rejected"] or severities & {"ERROR", "FATAL"})


@pytest.mark.parametrize("row", INVALID, ids=[r["file"] for r in INVALID])
def test_deliberately_invalid_837s_are_rejected_or_flagged(row: dict[str, str]) -> None:
    assert _parser_flags(row) or not validate_path(str(CORPUS / row["file"])).valid



STRUCTURAL = [r for r in manifest_rows("837") if "STRUCTURAL ISSUES" in r["notes"]]


@pytest.mark.parametrize("row", STRUCTURAL, ids=[r["file"] for r in STRUCTURAL])
def test_structural_notes_of_the_manifest_are_reported_by_the_parser(row: dict[str, str]) -> None:
    """Every structural fault the manifest notes (segment counts, control numbers, version
    contradictions, a non-fixed-width ISA) is a problem of the parser's own, at least a
    warning; the file is not necessarily unusable."""
    document = claim_document(str(CORPUS / row["file"]), 1)
    problems = document["problems"] + [p for c in document["claims"] for p in c["problems"]]
    assert document["rejected"] or problems, row["notes"]
