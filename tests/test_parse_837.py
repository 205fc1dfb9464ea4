"""`edi-posting parse` reads 837s too: the same envelope, with claims."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from edi_posting.cli import main
from tests.corpus_manifest import CORPUS, count_segments, manifest_rows
from tests.test_import_837 import FIXTURE


def test_parse_of_an_837_prints_claims_with_lines(tmp_path: Path) -> None:
    path = tmp_path / "clinic.837"
    path.write_text(FIXTURE)
    result = CliRunner().invoke(main, ["parse", str(path)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["schema_version"], document["kind"], document["problems"]) == (1, "837P", [])
    claim = document["claims"][0]
    assert (claim["patient_control_number"], claim["total_charge"], claim["payer"]["id"]) == (
        "PCN-1001", "125.50", "ACME01")
    assert [(line["procedure"]["code"], line["procedure"]["modifiers"], line["charge"])
            for line in claim["service_lines"]] == [("99213", ["25"], "100.00"), ("85025", [], "25.50")]


def test_parse_counts_every_corpus_837_claim_or_rejects_the_file() -> None:
    from edi_posting.api.claim_documents import claim_document

    for row in manifest_rows("837"):
        path = CORPUS / row["file"]
        document = claim_document(str(path), 1)
        if document["rejected"]:
            assert document["_fatal"], row["file"]
        elif not document["_fatal"]:
            assert len(document["claims"]) == count_segments(path, "CLM"), row["file"]
