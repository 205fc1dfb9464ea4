"""`edi-posting generate`: seeded, matching 837/835/bank test files and their expectations.

A thin layer over :func:`edi_posting.generate_test_files`; no database.  A one-line summary
goes to stderr; stdout stays empty unless ``--format json`` asks for the summary as data.
"""

from __future__ import annotations

from pathlib import Path

import click

import edi_posting
from edi_posting.cli.common import CliError, echo_err, echo_json, format_option
from edi_posting.exit_codes import ExitCode

__all__ = ["command"]

_BREAKS = {"none": "", "lf": "\n", "crlf": "\r\n"}


def _mix_help() -> str:
    return "\b\nScenarios (weight per claim in brackets):\n" + "\n".join(
        f"  {line}" for line in edi_posting.scenario_help())


@click.command(
    "generate",
    epilog=f"""\b
Example:
  edi-posting generate --claims 1000 --seed 7 --out /tmp/demo
  edi-posting generate --claims 200 --scenario-mix paid=60,denied=5,reversal=3 --out /tmp/x
  edi-posting generate --claims 50 --element-separator '|' --line-breaks none --out /tmp/y

{_mix_help()}

\b
Layout: DIR/837/*.837, DIR/835/*.835, DIR/bank/deposits.csv, DIR/bank/deposits.bai,
DIR/eob/NNNN-<payer>.csv|.json (keyed paper EOBs: the same checks as the 835 file of that
name, for the 835 files whose checks can all be keyed; CSV and JSON alternate; listed in
expected.json under files.eob with twin_of), DIR/expected.json (per-claim balances and
review items, totals, deposits).  Import a keyed twin instead of its 835: the same ledger.
Same seed and options write byte-identical files.""",
)
@click.option("--claims", type=click.IntRange(min=1), required=True, envvar="EDI_POSTING_CLAIMS",
              show_envvar=True, help="Number of claims to bill (837) and remit (835).")
@click.option("--seed", type=int, default=1, show_default=True, envvar="EDI_POSTING_SEED",
              show_envvar=True, help="Random seed; every choice and date derives from it.")
@click.option("--payers", type=click.IntRange(1, 99), default=3, show_default=True,
              envvar="EDI_POSTING_PAYERS", show_envvar=True,
              help="Number of payers (every third one is billed on 837I).")
@click.option("--scenario-mix", "scenario_mix", default=None, metavar="NAME=WEIGHT,...",
              envvar="EDI_POSTING_SCENARIO_MIX", show_envvar=True,
              help="Scenario weights (names below); names left out weigh 0.  The counted "
                   "extras (unbalanced, unlinked_plb, duplicate_file) are counts and keep "
                   "their defaults unless named.  [default: the weights below]")
@click.option("--element-separator", default="*", show_default=True, metavar="CHAR",
              envvar="EDI_POSTING_ELEMENT_SEPARATOR", show_envvar=True,
              help="X12 element separator (ISA position 4).")
@click.option("--segment-terminator", default="~", show_default=True, metavar="CHAR",
              envvar="EDI_POSTING_SEGMENT_TERMINATOR", show_envvar=True,
              help="X12 segment terminator (after ISA16).")
@click.option("--line-breaks", type=click.Choice(list(_BREAKS)), default="lf",
              show_default=True, envvar="EDI_POSTING_LINE_BREAKS", show_envvar=True,
              help="What follows each segment terminator.")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True,
              envvar="EDI_POSTING_OUT", show_envvar=True,
              help="Directory to write into (its 837/, 835/, bank/ and eob/ must be empty).")
@format_option(("table", "json"))
def command(claims: int, seed: int, payers: int, scenario_mix: str | None,
            element_separator: str, segment_terminator: str, line_breaks: str, out: Path,
            output_format: str) -> None:
    """Write matching 837 claims, 835 remittances, bank deposits and expected.json."""
    try:
        summary = edi_posting.generate_test_files(
            out, claims, seed=seed, payers=payers, scenario_mix=scenario_mix,
            element_separator=element_separator, segment_terminator=segment_terminator,
            line_break=_BREAKS[line_breaks])
    except edi_posting.GeneratorError as exc:
        raise CliError(str(exc), ExitCode.USAGE) from None
    except OSError as exc:
        code = ExitCode.NO_PERMISSION if isinstance(exc, PermissionError) else ExitCode.USAGE
        raise CliError(f"cannot write under {out}: {exc.strerror or exc}", code) from None
    echo_err(f"generated {summary.claims} claims in {summary.files_837} 837 and "
             f"{summary.files_835} 835 files ({summary.remittances} remittances) under {out}")
    if output_format == "json":
        echo_json(summary.to_dict())
