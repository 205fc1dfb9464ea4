"""Read stage: control characters no database can store inside elements (NUL: PostgreSQL
refuses it in text), one rule for 835 and 837 alike.

The tokenizer flags each segment holding one (see ``tokenizer._CONTROLS``; the file's own
separators excepted) as it splits the chunk; this keeps the flags until the one that owns
the segment claims them: the transaction set it is in (a FATAL problem: the set is
rejected whole, before anything of it is stored, and the file's other sets import), or
the reader for an envelope or stray segment (an ERROR; an ISA or GS holding one rejects
every set it wraps, since the envelope is stored with them).  Consumed by
:mod:`edi_posting.x12.reader` and :mod:`edi_posting.x12.transaction_set`; produces
:class:`~edi_posting.records.problems.Problem`.
"""

from __future__ import annotations

from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.records.source import SourceRef
from edi_posting.x12.tokenizer import control_characters

__all__ = ["ControlFlags"]


class ControlFlags:
    """The flagged segments not yet claimed: ``(position, element name, character)``."""

    def __init__(self, separators: str) -> None:
        self.pattern = control_characters(separators)
        self.pending: list[tuple[int, str | None, str]] = []

    def flag(self, elements: list[str], position: int) -> None:
        """The tokenizer's callback: name the first element holding a control character."""
        for index, text in enumerate(elements):
            found = self.pattern.search(text)
            if found is not None:
                name = f"{elements[0][:3]}{index:02d}" if index else None
                self.pending.append((position, name, found.group()))
                return

    def take(self, source: SourceRef, upto: int,
             severity: Severity = Severity.FATAL) -> list[Problem]:
        """A problem per flagged segment up to position ``upto`` (at ``source``'s envelope),
        and forget them.  By position: the tokenizer flags a whole batch before it splits the
        batch at envelope segments, so flags of the next set may already be waiting.

        The message names the character's code, never the element's text (it may be PHI).
        """
        count = 0
        for position, _, _ in self.pending:
            if position > upto:
                break
            count += 1
        taken, self.pending[:count] = self.pending[:count], []
        return [Problem(
            ProblemCode.CONTROL_CHARACTER, severity, f"{name or 'the segment ID'} holds the control "
            f"character 0x{ord(char):02X}, which no X12 data carries and the database "
            "cannot store" + (": nothing of this transaction set can be trusted"
                              if severity is Severity.FATAL else ""),
            source.at(position), name) for position, name, char in taken]
