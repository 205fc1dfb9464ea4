"""Which kind of file is this?  A look at the first bytes, before any parsing.

`import` routes a file by GS01 (HP = 835 remittance, HC = 837 claim, FA = 999) and ST01 /
GS08 (X222 professional, X223 institutional, X224 dental).  Reading only the head keeps
this cheap for a 2 GB file of garbage.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["HEAD_BYTES", "sniff_kind", "sniff_path"]

HEAD_BYTES = 64 * 1024
_BY_VERSION = (("X222", "837P"), ("X223", "837I"), ("X224", "837D"), ("X096", "837I"),
               ("X098", "837P"), ("X097", "837D"))


def sniff_path(path: Path) -> str:
    with open(path, "rb") as handle:
        return sniff_kind(handle.read(HEAD_BYTES))


def sniff_kind(head: bytes) -> str:
    """'835', '837P', '837I', '837D', '999', or 'unknown' (not X12, or another transaction)."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head[:512]:
        return "unknown"  # UTF-16 or binary
    text = head.decode("latin-1").lstrip("\ufeff\xef\xbb\xbf \t\r\n")
    if not text.startswith(("ISA", "ST")):
        return "unknown"
    group = re.search(r"(?:^|[^A-Za-z0-9])GS([^A-Za-z0-9\s])", text)
    st = re.search(r"(?:^|[^A-Za-z0-9])ST([^A-Za-z0-9\s])", text)
    if st is None:
        return "unknown"
    st_elements = re.split(r"[~\r\n]", text[st.start(1) + 1:], maxsplit=1)[0].split(st.group(1))
    version = st_elements[2].strip() if len(st_elements) > 2 else ""
    if not version and group is not None:
        gs_elements = re.split(r"[~\r\n]", text[group.start(1) + 1:], maxsplit=1)[0].split(
            group.group(1))
        version = gs_elements[7].strip() if len(gs_elements) > 7 else ""
    st01 = st_elements[0].strip()
    if st01 in ("835", "999"):
        return st01
    if st01 == "837":
        return next((kind for marker, kind in _BY_VERSION if marker in version), "837P")
    return "unknown"
