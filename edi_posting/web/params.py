"""A request's values read as the engine's types: a mistyped one is a 400 page naming the
field and what it should be, never a traceback and never an empty page."""

from __future__ import annotations

import datetime as dt

from flask import abort

__all__ = ["day", "whole_number"]


def day(value: str | None, what: str) -> dt.date | None:
    """``value`` as a date (YYYY-MM-DD); None when it is empty."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        abort(400, f"{what}: {value!r} is not a date (YYYY-MM-DD)")


def whole_number(value: str | None, what: str) -> int:
    """``value`` as a whole number (0 or more)."""
    if not value or not value.isdigit():
        abort(400, f"{what}: {value!r} is not a whole number")
    return int(value)
