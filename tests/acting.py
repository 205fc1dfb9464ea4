"""Who a review action runs as, for tests that call ``edi_posting.review`` directly.

The public API (``edi_posting.apply_cash`` and the rest) checks the session user's
permission once and hands the review function that user's principal; a test working a
stage below the API builds the principal itself: the user's name and current role (None
while access control is off, no users yet), as the API's check would have returned it.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from edi_posting.access.permissions import Principal
from edi_posting.db.models import User


def as_user(conn: Connection, name: str) -> Principal:
    role = conn.execute(select(User.role).where(User.name == name)).scalar()
    return Principal(name, role)
