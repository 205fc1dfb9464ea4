"""The shared corpus as the tests see it: MANIFEST.tsv rows (never a glob)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"


def manifest_rows(transaction_prefix: str) -> list[dict[str, str]]:
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.exists():
        return []
    with open(manifest, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [r for r in rows if r["transaction"].startswith(transaction_prefix)]


def count_segments(path: Path, tag: str) -> int:
    """Count a segment id independently of any parser: after a terminator or line start."""
    text = path.read_bytes().decode("latin-1")
    body = text.lstrip("\ufeff\xef\xbb\xbf \r\n\t")
    separator = body[3] if body.startswith("ISA") else body[2] if body.startswith("ST") else "*"
    if body.startswith("ISA"):
        separator = re.match(r"ISA\s*(\W)", body).group(1)  # type: ignore[union-attr]
    pattern = rf"(?:^|[~\r\n^|]|\x85)\s*{tag}{re.escape(separator)}"
    return len(re.findall(pattern, body, flags=re.MULTILINE))
