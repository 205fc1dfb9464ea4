"""`edi-posting config`: show the effective configuration and where each value came from."""

from __future__ import annotations

import click
from click.core import ParameterSource

import edi_posting
from edi_posting.cli.common import format_option, render_rows
from edi_posting.cli.context import AppContext

__all__ = ["command"]

_SOURCES: dict[ParameterSource | None, str] = {
    ParameterSource.COMMANDLINE: "command line",
    ParameterSource.ENVIRONMENT: "environment",
    ParameterSource.DEFAULT: "default",
    ParameterSource.DEFAULT_MAP: "default",
}


@click.command(
    "config",
    epilog="\b\nExample:\n  EDI_POSTING_ACTOR=jdoe edi-posting config --format json",
)
@format_option()
@click.pass_context
def command(ctx: click.Context, output_format: str) -> None:
    """Show the database URL (password hidden) and the actor claimed, and their sources."""
    app: AppContext = ctx.obj
    root = ctx.find_root()
    rows = [
        {
            "setting": "database_url",
            "value": edi_posting.shown_database_url(app.database_url),
            "source": _SOURCES.get(root.get_parameter_source("database_url"), "default"),
            "environment_variable": "EDI_POSTING_DATABASE_URL",
        },
        {
            "setting": "actor",
            # the claim: the actor itself is whoever the login maps to (checked per command)
            "value": app.claimed_actor or "your login's user",
            "source": _SOURCES.get(root.get_parameter_source("actor"), "default"),
            "environment_variable": "EDI_POSTING_ACTOR",
        },
    ]
    render_rows(rows, ["setting", "value", "source", "environment_variable"], output_format)
