"""Read stage, innermost loop: decoded X12 text -> batches of segments.

Used by :class:`~edi_posting.x12.reader.X12Reader` only.  Consumes the text of the file
chunk by chunk and produces :data:`Batch` es of at most :data:`BATCH_SIZE` segments: the
segments' element lists and their positions, side by side (``zip`` them to get the
reader's ``(elements, position)`` :data:`Segment` tuples; a loop that unpacks them at once
allocates none).  An envelope segment (ISA, GS, ST, SE, GE, IEA) always comes alone in its
batch, so a consumer looks at the first segment of each batch only, never at every
segment, to find where a set ends.

Why batches: a generator step per segment, and a tag check per segment, cost as much as
splitting the segment itself.  Here a chunk is split with one ``str.split``, its pieces
split into elements by a list comprehension, and the tags of a whole batch checked with
two set operations; only a batch with an unknown tag or an envelope segment takes the
slow path, one segment at a time.  Batches stay small so that the lists they hold never
pile up for the garbage collector (a 4,096-segment batch doubled the time of a read).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from operator import itemgetter

from edi_posting.records.problems import ProblemCode

__all__ = ["BATCH_SIZE", "ENVELOPE_TAGS", "MAX_BAD_SEGMENTS", "MAX_SEGMENT_CHARS", "Batch",
           "Segment", "control_characters", "segment_batches"]

BATCH_SIZE = 256
MAX_SEGMENT_CHARS = 100_000
MAX_BAD_SEGMENTS = 1_000
_MAX_GOOD_TAGS = 512

Segment = tuple[list[str], int]  # (elements with the segment id at index 0, 1-based position)
Batch = tuple[list[list[str]], Sequence[int]]  # (elements of each segment, their positions)
ENVELOPE_TAGS = frozenset(("ISA", "IEA", "GS", "GE", "ST", "SE"))
_tag_of = itemgetter(0)
# NUL: the one character a database text column refuses (PostgreSQL rejects it in text;
# every other character the UTF-8 decoder yields is stored as read).  Other control
# characters are pyx12's to report (`validate`: IK4 6, invalid character).
_CONTROLS = "\x00"
Flag = Callable[[list[str], int], None]  # (elements, position) of a segment with a control


def control_characters(separators: str) -> re.Pattern[str]:
    """What no element may hold: the control characters no database stores, except the
    file's own separators (those never reach an element)."""
    refused = "".join(c for c in _CONTROLS if c not in separators)
    return re.compile(f"[{re.escape(refused)}]" if refused else "(?!)")  # (?!) never matches


def segment_batches(
    text: str,
    element: str,
    terminator: str,
    read_text: Callable[[], str | None],
    give_up: Callable[[ProblemCode, str, int], None],
    controls: tuple[re.Pattern[str], Flag] | None = None,
) -> Iterator[Batch]:
    """Every segment of the file, in order, in batches.

    ``text`` is the file's text from the first segment on, ``read_text`` gives the next
    decoded chunk (None at the end), ``give_up(code, message, position)`` records why
    reading stopped early (then the generator ends).  ``terminator`` is ``"\\n"`` for any
    line break.  Pieces are stripped only in chunks that have padding; empty pieces are
    no segments.  A segment id must look like one (2-3 letters or digits; a padded one is
    stripped in place): :data:`MAX_BAD_SEGMENTS` bad ones in a row, or
    :data:`MAX_SEGMENT_CHARS` characters without a terminator, and reading stops.
    ``controls`` is (pattern, flag): ``flag(elements, position)`` is called, before the
    batch holding it is yielded, for each segment in which the pattern finds a character;
    the pattern runs over whole chunks, so a clean file pays one search per chunk.
    """
    declared, by_line = terminator, terminator in "\r\n"
    if by_line:
        terminator = "\n"
    rest, position, bad_run = "", 0, 0
    good_tags: set[str] = set()
    envelope = ENVELOPE_TAGS
    while True:
        if by_line:
            if "\r" in text:
                text = text.replace("\r\n", "\n").replace("\r", "\n")
        else:
            if "\n" in text:
                text = text.replace("\n", "")
            if "\r" in text:
                text = text.replace("\r", "")
        text = rest + text
        # strip() costs as much as split(); only chunks with padding need it
        padded = (terminator + " " in text or " " + terminator in text or "\t" in text
                  or text[:1].isspace())
        pieces = text.split(terminator)
        rest = pieces.pop()
        if padded:
            pieces = [piece.strip() for piece in pieces]
        dirty = controls is not None and controls[0].search(text) is not None
        for start in range(0, len(pieces), BATCH_SIZE):
            rows = [piece.split(element) for piece in pieces[start:start + BATCH_SIZE] if piece]
            if not rows:
                continue
            if dirty:
                _flag_controls(rows, position, controls)  # type: ignore[arg-type]
            tags = set(map(_tag_of, rows))  # hashes the parser would compute anyway
            if tags <= good_tags and tags.isdisjoint(envelope):
                bad_run = 0
                first = position + 1
                position += len(rows)
                yield rows, range(first, position + 1)
                continue
            run: list[list[str]] = []
            at: list[int] = []
            for elements in rows:  # the slow path: one segment at a time
                position += 1
                if elements[0] in good_tags or _is_tag(elements, good_tags):
                    bad_run = 0
                else:
                    bad_run += 1
                    if bad_run >= MAX_BAD_SEGMENTS:
                        if run:
                            yield run, at
                        give_up(ProblemCode.GARBAGE,
                                f"{bad_run} unreadable segments in a row (is this "
                                "X12?)", position)
                        return
                if elements[0] in envelope:
                    if run:
                        yield run, at
                        run, at = [], []
                    yield [elements], (position,)
                else:
                    run.append(elements)
                    at.append(position)
            if run:
                yield run, at
        if len(rest) > MAX_SEGMENT_CHARS:
            give_up(ProblemCode.SEGMENT_TOO_LONG,
                    f"no segment terminator {declared!r} in {len(rest)} "
                    "characters", position + 1)
            return
        next_text = read_text()
        if next_text is None:
            break
        text = next_text
    last = rest.strip()
    if last:
        rows = [last.split(element)]
        if controls is not None and controls[0].search(last):
            _flag_controls(rows, position, controls)
        yield rows, (position + 1,)


def _flag_controls(rows: list[list[str]], position: int,
                   controls: tuple[re.Pattern[str], Flag]) -> None:
    """Flag each segment of a batch (the first at ``position + 1``) holding a control."""
    search, flag = controls[0].search, controls[1]
    for offset, elements in enumerate(rows, position + 1):
        if any(search(e) for e in elements):
            flag(elements, offset)


def _is_tag(elements: list[str], good_tags: set[str]) -> bool:
    """Is elements[0] a segment id?  Strips a padded one (``ISA *00 *...``) in place."""
    tag = elements[0]
    if not (2 <= len(tag) <= 3 and tag.isalnum()):
        tag = tag.strip()
        if not (2 <= len(tag) <= 3 and tag.isalnum()):
            return False
        elements[0] = tag
    elif len(good_tags) < _MAX_GOOD_TAGS:
        good_tags.add(tag)
    return True
