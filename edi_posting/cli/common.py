"""What every command shares: the --format option, rendering of rows, and CliError.

Data goes to stdout, messages and progress to stderr.  A command raises :class:`CliError`
for an answer that is not a bug (bad input, database unreachable); the top-level handler
prints its one-line message to stderr and exits with its code.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import click

from edi_posting.exit_codes import ExitCode

__all__ = ["CliError", "echo_err", "echo_json", "format_option", "option_cents", "render_rows"]

F = TypeVar("F", bound=Callable[..., Any])


class CliError(click.ClickException):
    """A one-line answer for the user with a documented exit code."""

    def __init__(self, message: str, exit_code: int = ExitCode.DATA_ERROR) -> None:
        super().__init__(message)
        # per error, not per class; click >= 8.5 declares exit_code a ClassVar, which a
        # plain assignment would break for mypy though click reads it from the instance
        object.__setattr__(self, "exit_code", int(exit_code))

    def show(self, file: Any = None) -> None:
        click.echo(f"edi-posting: {self.format_message()}", err=True)


def option_cents(text: str | None, option: str = "--amount", *,
                 positive: bool = False) -> int | None:
    """A user's amount (``12.50``) as integer cents, parsed exactly (never through a float);
    None when not given; a malformed (or, when ``positive``, a zero or negative) amount is
    a usage error naming the option."""
    from edi_posting.money import AmountError, parse_amount, to_cents

    if text is None:
        return None
    try:
        cents = to_cents(parse_amount(text))
    except AmountError as exc:
        raise CliError(f"{option}: {exc}", ExitCode.USAGE) from None
    if positive and cents <= 0:
        raise CliError(f"{option}: must be more than 0.00", ExitCode.USAGE)
    return cents


class _FormatOption(click.Option):
    """--format whose environment twin is a preference, not an order.

    EDI_POSTING_FORMAT is set once for a whole shell; a command without that format (a
    document such as `claim show` has no CSV) uses its own default instead of refusing,
    while the same format typed as a flag is still refused (exit 2).
    """

    def consume_value(self, ctx: click.Context, opts: Mapping[str, Any]) -> tuple[Any, Any]:
        value, source = super().consume_value(ctx, opts)
        choices = getattr(self.type, "choices", ())
        if (source == click.core.ParameterSource.ENVIRONMENT and isinstance(value, str)
                and value not in choices):
            return self.default, click.core.ParameterSource.DEFAULT
        return value, source


def format_option(
    choices: Sequence[str] = ("table", "json", "csv"), default: str = "table"
) -> Callable[[F], F]:
    """The one --format option, with its environment twin EDI_POSTING_FORMAT (a format
    from the environment that this command does not have falls back to ``default``)."""
    return click.option(
        "--format",
        "output_format",
        cls=_FormatOption,
        type=click.Choice(list(choices)),
        default=default,
        show_default=True,
        envvar="EDI_POSTING_FORMAT",
        show_envvar=True,
        help="Output format.",
    )


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=False, default=str))


def echo_err(message: str) -> None:
    click.echo(message, err=True)


def render_rows(
    rows: Iterable[Mapping[str, Any]], columns: Sequence[str], output_format: str
) -> None:
    """Print rows as an aligned table, a JSON list or CSV with a header."""
    materialized = [dict(row) for row in rows]
    if output_format == "json":
        echo_json(materialized)
        return
    if output_format == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        for row in materialized:
            writer.writerow({c: _cell(row.get(c)) for c in columns})
        click.echo(buffer.getvalue(), nl=False)
        return
    cells = [[_cell(row.get(c)) for c in columns] for row in materialized]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    click.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip())
    for r in cells:
        click.echo("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
