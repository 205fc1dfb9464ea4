"""`edi-posting serve`: the web workbench under waitress, a production WSGI server."""

from __future__ import annotations

from pathlib import Path

import click

from edi_posting.cli.common import echo_err
from edi_posting.cli.context import AppContext

__all__ = ["command"]


@click.command("serve", epilog="""\b
Example:
  edi-posting users set-password sam          # each person's own web password
  edi-posting serve                           # http://127.0.0.1:8000/, then log in
  edi-posting --db postgresql://web@db/edi serve --host 0.0.0.0 --port 8443 --idle-minutes 10
  edi-posting serve --login-attempts 3 --login-lock-minutes 30   # stricter lockout
  edi-posting serve --upload-dir /var/lib/edi/uploads --upload-max-mb 250""")
@click.option("--host", default="127.0.0.1", show_default=True, envvar="EDI_POSTING_SERVE_HOST",
              show_envvar=True, help="Address to listen on (off loopback the session cookie "
              "is HTTPS-only: put a TLS proxy in front).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              envvar="EDI_POSTING_SERVE_PORT", show_envvar=True, help="Port to listen on.")
@click.option("--idle-minutes", default=15, show_default=True, type=click.IntRange(min=1),
              envvar="EDI_POSTING_SERVE_IDLE_MINUTES", show_envvar=True,
              help="Log a person off after this many minutes without a request.")
@click.option("--login-attempts", default=5, show_default=True, type=click.IntRange(min=1),
              envvar="EDI_POSTING_SERVE_LOGIN_ATTEMPTS", show_envvar=True,
              help="Failed logins of one name within --login-lock-minutes that lock it "
              "(20 from one remote address lock the address); a locked login is refused "
              "with 429, a right password too.")
@click.option("--login-lock-minutes", default=15, show_default=True,
              type=click.IntRange(min=1), envvar="EDI_POSTING_SERVE_LOGIN_LOCK_MINUTES",
              show_envvar=True, help="How long a lock lasts, and the window failed logins "
              "are counted in.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(min=1),
              envvar="EDI_POSTING_SERVE_THREADS", show_envvar=True,
              help="Requests served at once.")
@click.option("--upload-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              envvar="EDI_POSTING_SERVE_UPLOAD_DIR", show_envvar=True,
              help="Where uploaded files are saved before their import (default: a "
                   "temporary directory of the server's process).")
@click.option("--upload-max-mb", default=100, show_default=True, type=click.IntRange(min=1),
              envvar="EDI_POSTING_SERVE_UPLOAD_MAX_MB", show_envvar=True,
              help="The largest upload accepted, in MB (a larger one gets a 413 page).")
@click.pass_obj
def command(app: AppContext, host: str, port: int, idle_minutes: int, login_attempts: int,
            login_lock_minutes: int, threads: int, upload_dir: Path | None,
            upload_max_mb: int) -> None:
    """Serve the web workbench: people log in with their own user and password (set with
    `users set-password`) and work the queue; the server alone holds the database
    credentials.  Runs until interrupted (Ctrl-C)."""
    import waitress

    from edi_posting.web.app import create_app
    from edi_posting.web.settings import WebSettings

    app.session()  # the database is reachable and current (exit 69 / 78 otherwise)
    web = create_app(app.database_url, WebSettings.for_host(
        host, idle_minutes=idle_minutes, login_attempts=login_attempts,
        login_lock_minutes=login_lock_minutes, upload_dir=upload_dir,
        keyed_dir=upload_dir / "keyed" if upload_dir else None, upload_max_mb=upload_max_mb))
    echo_err(f"edi-posting: serving the web workbench on http://{host}:{port}/ "
             f"(idle logoff after {idle_minutes} min); Ctrl-C stops it")
    waitress.serve(web, host=host, port=port, threads=threads, ident="edi-posting")
