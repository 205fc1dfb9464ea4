"""Documented process exit codes (sysexits.h where one fits), one place for the CLI and README."""

from __future__ import annotations

import enum

__all__ = ["ExitCode"]


class ExitCode(enum.IntEnum):
    OK = 0
    CHECK_FAILED = 1  # a check ran and found violations (db check drift, ledger check, audit verify)
    USAGE = 2  # bad options or arguments (click's own code)
    ALREADY_RECEIVED = 3  # the same payment was received before: nothing posted (payment receive/post)
    DATA_ERROR = 65  # EX_DATAERR: input rejected (not X12, no usable transaction set, invalid)
    NO_INPUT = 66  # EX_NOINPUT: a named file does not exist or cannot be read
    UNAVAILABLE = 69  # EX_UNAVAILABLE: the database cannot be reached
    SOFTWARE = 70  # EX_SOFTWARE: a bug; the message says where to report it
    CANT_CREATE = 73  # EX_CANTCREAT: an output file (report -o, --chart) cannot be written
    NO_PERMISSION = 77  # EX_NOPERM: unknown/disabled actor or missing permission
    CONFIG = 78  # EX_CONFIG: database not migrated to this version, bad configuration
    BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports it: stdout's reader went away
