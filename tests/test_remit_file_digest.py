"""``read_remittance_file`` (what ``import`` reads): the same records as ``parse_835``, and a
``content_sha256`` per set that is exactly the digest of its ST elements (ST02 left out: a
re-sent set gets a new one) and body segments; ``legacy_sha256`` keeps ST02, as digests
stored before migration 0008 did."""

from __future__ import annotations

import hashlib
from pathlib import Path

from edi_posting.records.remittance import RemittanceRecord
from edi_posting.x12.reader import X12Reader
from edi_posting.x12.remit835.file import RemittanceFileEnd, RemittanceSetRead, read_remittance_file
from edi_posting.x12.remit835.parser import parse_835
from tests.test_remit835 import CLAIM, HEADER
from tests.x12build import build_x12, write_x12

SECOND = CLAIM.replace("PCN-1", "PCN-2").replace("LINE-1", "LINE-2")


def _sets(path: Path) -> tuple[list[RemittanceSetRead], RemittanceFileEnd]:
    items = list(read_remittance_file(path, "f" * 64))
    end = items.pop()
    assert isinstance(end, RemittanceFileEnd)
    assert all(isinstance(item, RemittanceSetRead) for item in items)
    return items, end  # type: ignore[return-value]


def _expected_digests(path: Path, *, with_st02: bool = False) -> list[str]:
    """The definition, segment by segment: ST elements (ST02 empty unless ``with_st02``),
    then "\\x1e" + elements joined by "\\x1f" for each body segment (SE excluded)."""
    digests: list[str] = []
    digest = None
    with X12Reader(path) as reader:
        for elements, _ in reader.segments():
            if elements[0] == "ST":
                st = elements if with_st02 else [*elements[:2], "", *elements[3:]]
                digest = hashlib.sha256("\x1f".join(st).encode())
            elif elements[0] == "SE" and digest is not None:
                digests.append(digest.hexdigest())
                digest = None
            elif digest is not None:
                digest.update(("\x1e" + "\x1f".join(elements)).encode())
    return digests


def test_content_sha256_is_the_digest_of_each_sets_segments(tmp_path: Path) -> None:
    many_claims = HEADER + "".join(CLAIM.replace("PCN-1", f"PCN-{i}") for i in range(300))
    text = build_x12(HEADER + CLAIM, many_claims, HEADER + SECOND)
    path = write_x12(tmp_path, text)
    sets, _ = _sets(path)
    assert [s.content_sha256 for s in sets] == _expected_digests(path)
    assert [s.legacy_sha256 for s in sets] == _expected_digests(path, with_st02=True)
    assert len({s.content_sha256 for s in sets}) == 3


def test_the_same_set_under_another_st02_has_the_same_content_sha256(tmp_path: Path) -> None:
    path = write_x12(tmp_path, build_x12(HEADER + CLAIM, HEADER + CLAIM))  # ST02 0001, 0002
    sets, _ = _sets(path)
    assert sets[0].content_sha256 == sets[1].content_sha256
    assert sets[0].legacy_sha256 != sets[1].legacy_sha256


def test_content_sha256_of_a_non_835_set_covers_its_whole_body(tmp_path: Path) -> None:
    path = write_x12(tmp_path, build_x12(HEADER + CLAIM, transaction_id="837"))
    sets, _ = _sets(path)
    assert [s.content_sha256 for s in sets] == _expected_digests(path)
    assert "NOT_835" in [p.code for p in sets[0].problems]


def test_import_reads_the_same_records_as_parse(tmp_path: Path) -> None:
    text = build_x12(HEADER + CLAIM + SECOND, HEADER + CLAIM.replace("*200*132*", "*2.005*1*"))
    path = write_x12(tmp_path, text)
    sets, end = _sets(path)
    parsed = parse_835(path, file_sha256="f" * 64, file_name=path.name)
    rebuilt = [RemittanceRecord(s.header, s.claims, s.end.summaries, s.end.provider_adjustments,
                          s.end.totals, s.end.problems) for s in sets]
    assert rebuilt == list(parsed.remittances)
    assert end.problems == parsed.problems and end.sets == 2
