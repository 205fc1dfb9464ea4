"""PostgreSQL login roles for tests that play a person (or an attacker) with the
application role's rights: ``with application_login(database_url) as (role, url): ...``,
or an auditor's: ``auditor_login(database_url)``.

Each is a fresh LOGIN role holding exactly what ``db grant`` (or ``db grant --read-only``)
gives, dropped afterwards
(roles are server-wide, so the name carries the process id and a counter).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import make_url

from edi_posting.db.engine import make_engine
from edi_posting.db.migration import grant_application_role

__all__ = ["application_login", "auditor_login"]

_counter = itertools.count()


@contextmanager
def application_login(database_url: str, hint: str = "app", *,
                      read_only: bool = False) -> Iterator[tuple[str, str]]:
    """(role name, URL that logs in as it) for a new role granted by ``db grant``
    (``--read-only`` when ``read_only``)."""
    role = f"edi_{hint}_{os.getpid()}_{next(_counter)}"
    owner = make_engine(database_url)
    with owner.begin() as conn:
        conn.execute(text(f"DROP ROLE IF EXISTS {role}"))
        conn.execute(text(f"CREATE ROLE {role} LOGIN"))
    grant_application_role(owner, role, read_only=read_only)
    try:
        yield role, make_url(database_url).set(username=role).render_as_string(
            hide_password=False)
    finally:
        with owner.begin() as conn:
            for what in ("ALL TABLES IN SCHEMA public", "ALL SEQUENCES IN SCHEMA public",
                         "ALL FUNCTIONS IN SCHEMA public", "SCHEMA public"):
                conn.execute(text(f"REVOKE ALL ON {what} FROM {role}"))
            conn.execute(text(f"DROP ROLE {role}"))
        owner.dispose()


@contextmanager
def auditor_login(database_url: str, hint: str = "aud") -> Iterator[tuple[str, str]]:
    """(role name, URL) for a new login granted by ``db grant --read-only``."""
    with application_login(database_url, hint, read_only=True) as found:
        yield found
