"""README.md's examples, run in document order against the demo database, as a new user
would type them: every command shown works as shown.

How the README is read (the conventions a README edit must keep):

- A ```bash block holds one command per line (a line ending in ``\\`` continues on the
  next); blank lines and lines that are only a ``#`` comment are not commands.  Each
  command is run by ``bash -c`` in one working directory, in document order, and must
  exit 0 without a Python traceback.  (To stay fast, a plain ``edi-posting`` line has bash
  expand its words and variables, then runs the command in this process with click's
  CliRunner, seeing the ``EDI_POSTING_*`` variables bash would have passed it; a line with
  pipes, redirections or ``&&`` runs in bash whole.)  A line's commands may be:
  ``edi-posting ...`` (after optional ``NAME=value`` assignments, as in a shell);
  ``export NAME=value ...`` (kept for every later line, as a shell session would);
  ``cp ...`` and ``mkdir ...`` (laying out files).  ``python -m pip install ...`` lines
  (installation, the test suite) are skipped.  Any other line fails this test: mark it.
- ``# [exit N] ...`` in a command's comment: the command is meant to exit N at that point
  of the sequence (e.g. a refusal with 77), and the test expects exactly N.  Other
  comments that mention an exit code ("exit 1 when ...") describe a condition, not this
  run, and are not read.
- ``# [not run: WHY] ...`` in a command's comment, or as the first line of a ```python
  block: shown, never run (a PostgreSQL server, a state the demo day never reaches).
- A ```python block runs whole with ``python -c`` in the same directory, after the bash
  lines above it and before those below.  Blocks in any other language (or none) are
  output or file excerpts, never run.

The working directory starts as a user's would after ``python -m pip install . &&
edi-posting demo`` in a checkout: a copy of ``fixtures/`` and the demo database the
``demo`` command created (SQLite, ``edi_posting.db``).  ``edi-posting`` on PATH is this
checkout's package (``python -m edi_posting``), and no ``EDI_POSTING_*`` variable of the
environment running the tests leaks into the commands.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi_posting.cli import main

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
TIMEOUT_SECONDS = 120  # one command; the demo day's whole sequence takes well under a minute

_FENCE = re.compile(r"^```\s*([\w+-]*)\s*$")
_EXIT = re.compile(r"#.*\[exit (\d+)\]")
_NOT_RUN = re.compile(r"#\s*\[not run: ([^\]]+)\]")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_RUNNABLE = ("edi-posting", "export", "cp", "mkdir")
_SHELL_OPERATORS = set("();<>|&")


@dataclass(frozen=True, slots=True)
class Example:
    """One runnable thing of the README: a bash command line or a whole python block."""

    line: int  # 1-based line of README.md where it starts
    language: str  # "bash" or "python"
    text: str
    expected_exit: int = 0
    not_run: str | None = None  # why, when marked [not run: ...]

    def describe(self) -> str:
        shown = self.text if self.language == "bash" else self.text.splitlines()[0] + " ..."
        return f"README.md line {self.line} ({self.language}): {shown}"


class ReadmeFormatError(Exception):
    """A line of a bash block that the test does not know how to run, and is not marked."""


def _shell_words(text: str) -> list[str]:
    """The line's words as bash splits them, operators (``&&``, ``|``, ``>``) apart."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.commenters = "#"
    return list(lexer)


def _command_words(text: str) -> list[str]:
    """The command of each simple command of the line (``a && b | c``: a, b, c); the
    file a redirection names (``> head.json``) is not one."""
    commands, expecting, target = [], True, False
    for word in _shell_words(text):
        if target:  # the file of a redirection (``> out.json``), not a command
            target = False
        elif set(word) <= _SHELL_OPERATORS and ">" in word or word == "<":
            target = True
        elif set(word) <= _SHELL_OPERATORS:
            expecting = True
        elif expecting and not _ASSIGNMENT.match(word):
            commands.append(word)
            expecting = False
    return commands


def _bash_example(line_no: int, text: str) -> Example | None:
    """The command on this line, or None for an installation line (skipped)."""
    try:
        words = shlex.split(text, comments=True)
    except ValueError as exc:
        raise ReadmeFormatError(f"README.md line {line_no}: cannot be split like a shell "
                                f"line ({exc}): {text}") from None
    not_run = _NOT_RUN.search(text)
    expected = _EXIT.search(text)
    if words[:4] == ["python", "-m", "pip", "install"]:
        return None
    unknown = [c for c in _command_words(text) if c not in _RUNNABLE]
    if unknown and not not_run:
        raise ReadmeFormatError(
            f"README.md line {line_no}: `{unknown[0]}` is not a command this test runs "
            f"({', '.join(_RUNNABLE)}); mark the line `# [not run: why]` if it is only "
            f"shown: {text}")
    return Example(line_no, "bash", text, int(expected.group(1)) if expected else 0,
                   not_run.group(1).strip() if not_run else None)


def _bash_lines(first_line: int, lines: list[str]) -> list[tuple[int, str]]:
    """(README line, text) of each command of a bash block, continuations joined."""
    commands: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for offset, raw in enumerate(lines):
        text = raw.strip()
        if pending is not None:
            pending = (pending[0], pending[1][:-1].rstrip() + " " + text)
        elif text and not text.startswith("#"):
            pending = (first_line + offset, text)
        if pending is not None and not pending[1].endswith("\\"):
            commands.append(pending)
            pending = None
    if pending is not None:
        commands.append(pending)
    return commands


def _block_examples(language: str, first_line: int, lines: list[str]) -> list[Example]:
    if language == "python":
        marked = _NOT_RUN.search(lines[0]) if lines else None
        return [Example(first_line, "python", "\n".join(lines) + "\n",
                        not_run=marked.group(1).strip() if marked else None)]
    examples = [_bash_example(n, t) for n, t in _bash_lines(first_line, lines)]
    return [e for e in examples if e is not None]


def readme_examples(markdown: str) -> list[Example]:
    """Every example of the README, in document order (see the module docstring)."""
    examples: list[Example] = []
    language: str | None = None
    block: list[str] = []
    start = 0
    for number, line in enumerate(markdown.splitlines(), 1):
        fence = _FENCE.match(line)
        if fence and language is None:
            language, block, start = fence.group(1), [], number + 1
        elif line.startswith("```") and language is not None:
            if language in ("bash", "python"):
                examples.extend(_block_examples(language, start, block))
            language = None
        elif language is not None:
            block.append(line)
    return examples


# --- running them ---------------------------------------------------------------------------

# Prints the words bash would have passed to `edi-posting` (count first), then the
# EDI_POSTING_* variables it would have seen, NUL-separated: the line gets the shell's own
# quoting, globbing and `NAME=value` prefixes, and only the Python process is saved.
_CAPTURE = ('edi-posting() { printf "%s\\0" "$#" "$@"; for n in $(compgen -e); do '
            'case $n in EDI_POSTING_*) printf "%s\\0" "$n=${!n}";; esac; done; }; ')


@dataclass
class Session:
    """The user's shell: a working directory, its environment, and `edi-posting` on PATH."""

    workdir: Path
    env: dict[str, str]

    def bash(self, script: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", "-c", script], cwd=self.workdir, env=self.env,
                              capture_output=True, text=True, timeout=TIMEOUT_SECONDS,
                              check=False)


def _session(tmp_path: Path) -> Session:
    """This checkout's `edi-posting` first on PATH, and no EDI_POSTING_* of ours leaking."""
    bin_dir, workdir = tmp_path / "bin", tmp_path / "work"
    bin_dir.mkdir()
    shim = bin_dir / "edi-posting"
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m edi_posting "$@"\n')
    shim.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDI_POSTING_")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    shutil.copytree(REPO / "fixtures", workdir / "fixtures")
    return Session(workdir, env)


def _export(example: Example, session: Session) -> None:
    """`export NAME=value ...`: what a shell session would keep for the next lines."""
    for word in shlex.split(example.text, comments=True)[1:]:
        name, is_assignment, value = word.partition("=")
        if is_assignment:  # `export NAME` alone exports what is set already: nothing to keep
            session.env[name] = value


def _is_simple(text: str) -> bool:
    """An `edi-posting` line without pipes, redirections or lists: run in this process."""
    return (_command_words(text) == ["edi-posting"]
            and not any(set(w) <= _SHELL_OPERATORS for w in _shell_words(text)))


def _in_process(example: Example, session: Session) -> tuple[int, str, str, str]:
    """(exit code, stdout, stderr, traceback) of the line, `edi-posting` run by CliRunner."""
    words = session.bash(_CAPTURE + example.text)
    if words.returncode != 0:
        return words.returncode, words.stdout, words.stderr, ""
    count, *rest = words.stdout.split("\0")[:-1]
    argv, assigned = rest[:int(count)], rest[int(count):]
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("EDI_POSTING_")}
    for word in assigned:
        name, _, value = word.partition("=")
        env[name] = value
    result = CliRunner().invoke(main, argv, env=env, prog_name="edi-posting")
    crash = result.exception if not isinstance(result.exception, SystemExit) else None
    trace = "".join(traceback.format_exception(crash)) if crash else ""
    return result.exit_code, result.stdout, result.stderr, trace


def _run(example: Example, session: Session) -> str | None:
    """None when the example did what the README says, else why not (for the report)."""
    if example.language == "bash" and example.text.startswith("export "):
        _export(example, session)
        return None
    if example.language == "bash" and _is_simple(example.text):
        code, out, err, trace = _in_process(example, session)
    else:
        argv = ["bash", "-c", example.text] if example.language == "bash" else [
            sys.executable, "-c", example.text]
        done = subprocess.run(argv, cwd=session.workdir, env=session.env, text=True,
                              capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
        code, out, err, trace = done.returncode, done.stdout, done.stderr, ""
    trace = trace or ("traceback" if "Traceback (most recent call" in out + err else "")
    if code == example.expected_exit and not trace:
        return None
    return (f"{example.describe()}\n  exited {code}, the README expects "
            f"{example.expected_exit}{' and no traceback' if trace else ''}\n"
            f"  stderr: {_tail(err)}\n  stdout: {_tail(out)}"
            + (f"\n  {_tail(trace, 12)}" if trace and trace != "traceback" else ""))


def _tail(text: str, lines: int = 8) -> str:
    kept = text.strip().splitlines()[-lines:]
    return "\n          ".join(kept) if kept else "(nothing)"


@pytest.fixture
def demo_session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Session:
    """A directory as after the README's quick start: fixtures/ and the demo database."""
    session = _session(tmp_path)
    monkeypatch.chdir(session.workdir)  # the commands run in this process see it too
    demo = session.bash("edi-posting demo")
    assert demo.returncode == 0, demo.stderr
    return session


def test_every_readme_example_works_as_shown_against_the_demo_database(
        demo_session: Session) -> None:
    examples = readme_examples(README.read_text(encoding="utf-8"))
    run = [e for e in examples if e.not_run is None]
    assert len(run) > 40, "the README's examples were not found: did the ``` fences change?"
    failures = [f for f in (_run(e, demo_session) for e in run) if f is not None]
    assert not failures, (f"{len(failures)} of the README's {len(run)} examples do not work as "
                          "shown (later ones may follow from the first):\n\n"
                          + "\n\n".join(failures))


# --- the conventions themselves -------------------------------------------------------------

_SAMPLE = """\
Some text.

```bash
python -m pip install . && edi-posting demo
edi-posting claim show A1     # a comment
# a comment line
export EDI_POSTING_ACTOR=sam
EDI_POSTING_FORMAT=json edi-posting queue list \\
    --kind denial
edi-posting --actor bob queue list   # [exit 77] bob is disabled
edi-posting --db postgresql://db/edi db upgrade   # [not run: needs a PostgreSQL server]
```

```
edi-posting not-a-command   # output, not run
```

```python
from edi_posting.db import connect
```
"""


def test_readme_examples_are_read_in_order_with_their_markers() -> None:
    examples = readme_examples(_SAMPLE)
    assert [(e.line, e.language, e.expected_exit, e.not_run) for e in examples] == [
        (5, "bash", 0, None), (7, "bash", 0, None), (8, "bash", 0, None),
        (10, "bash", 77, None), (11, "bash", 0, "needs a PostgreSQL server"),
        (19, "python", 0, None)]
    assert examples[2].text == "EDI_POSTING_FORMAT=json edi-posting queue list --kind denial"
    assert examples[5].text == "from edi_posting.db import connect\n"


def test_an_unknown_line_in_a_bash_block_is_an_error_naming_it() -> None:
    with pytest.raises(ReadmeFormatError, match=r"line 2: `rm` is not a command"):
        readme_examples("```bash\nrm -rf claims/\n```\n")
    with pytest.raises(ReadmeFormatError, match=r"line 2: `rm` is not a command"):
        readme_examples("```bash\nmkdir x && X=1 rm -rf claims/\n```\n")
    assert readme_examples("```bash\nrm -rf claims/   # [not run: shown only]\n```\n")[0].not_run


def test_a_condition_in_a_comment_is_not_an_expected_exit_code() -> None:
    [example] = readme_examples("```bash\nedi-posting ledger check   # exit 1 naming each\n```\n")
    assert example.expected_exit == 0


def test_the_file_after_a_redirection_is_not_taken_for_a_command() -> None:
    [example] = readme_examples(
        "```bash\nedi-posting audit head --format json > head.json 2>> log.txt\n```\n")
    assert example.expected_exit == 0
    with pytest.raises(ReadmeFormatError, match=r"`rm` is not a command"):
        readme_examples("```bash\nedi-posting ledger check > out.txt && rm out.txt\n```\n")
