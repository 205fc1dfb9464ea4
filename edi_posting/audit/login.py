"""Who is really at the keyboard: the authenticated login, never a name the user typed.

On PostgreSQL it is the database login (``session_user``): each person connects as their
own role, authenticated by the server.  On SQLite (one machine, one operator) it is the
operating-system user of the process, read from the kernel's effective uid, not from
``$USER``/``$LOGNAME``, which anyone can set to any name.
"""

from __future__ import annotations

import os
import pwd

from sqlalchemy import Connection, text

__all__ = ["current_login", "os_login"]


def os_login() -> str:
    """The effective uid's user name; the uid as text when the passwd file has no entry
    (containers), which still cannot be chosen by the caller."""
    uid = os.geteuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def current_login(conn: Connection) -> str:
    """The login the database (PostgreSQL) or the operating system (SQLite) authenticated."""
    if conn.dialect.name == "postgresql":
        return str(conn.execute(text("SELECT session_user")).scalar_one())
    return os_login()
