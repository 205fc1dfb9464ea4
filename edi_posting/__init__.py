"""edi-posting: a healthcare payment posting engine.

The public Python API.  Open a :class:`Session` (the database and the authenticated user)
and call the functions below with it; each one authorises the session's user and records
what it did on the audit trail, so a caller cannot skip either.  The CLI
(:mod:`edi_posting.cli`) and the web application are thin layers over exactly these names.

Names are loaded on first use (PEP 562), so ``import edi_posting`` stays cheap and a
command that parses a file never imports SQLAlchemy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name -> the module that defines it (the API functions live in ``edi_posting.api``;
#: the errors a caller catches are exported from where they are raised).
_EXPORTS: dict[str, str] = {
    "DatabaseBehindError": "edi_posting.db.migration",
    "DatabaseUnavailableError": "edi_posting.db.engine",
    "IdentityRefusedError": "edi_posting.access.actor",
    "Permission": "edi_posting.access.permissions",
    "PermissionDeniedError": "edi_posting.access.permissions",
    "Session": "edi_posting.api.session",
    "open_session": "edi_posting.api.session",
    # --- views, ledger, imports, audit, users, administration, files (issue 22, part a) ---
    "NotFoundError": "edi_posting.reports.views",
    "show_claim": "edi_posting.api.views",
    "show_account": "edi_posting.api.views",
    "claim_history": "edi_posting.api.views",
    "account_history": "edi_posting.api.views",
    "LedgerCheck": "edi_posting.api.ledger",
    "Violation": "edi_posting.reports.ledger_checks",
    "check_ledger": "edi_posting.api.ledger",
    "ledger_digest": "edi_posting.api.ledger",
    "forwarding_balances": "edi_posting.api.ledger",
    "import_files": "edi_posting.api.imports",
    "import_demo": "edi_posting.api.imports",
    "expand_paths": "edi_posting.importing.pipeline",
    "demo_directory": "edi_posting.importing.demo",
    "DemoResult": "edi_posting.importing.demo",
    "ImportResult": "edi_posting.importing.units",
    "FileResult": "edi_posting.importing.units",
    "UnreadableInputError": "edi_posting.archive.user_input",
    "PolicyError": "edi_posting.posting.policy",
    "list_policies": "edi_posting.api.policy",
    "set_policy": "edi_posting.api.policy",
    "remove_policy": "edi_posting.api.policy",
    "UserError": "edi_posting.access.permissions",
    "AddedUser": "edi_posting.api.users",
    "add_user": "edi_posting.api.users",
    "set_role": "edi_posting.api.users",
    "disable_user": "edi_posting.api.users",
    "set_login": "edi_posting.api.users",
    "set_password": "edi_posting.api.users",
    "list_users": "edi_posting.api.users",
}

__all__ = [  # the names of _EXPORTS, spelled out for type checkers (a test keeps them equal)
    "DatabaseBehindError", "DatabaseUnavailableError", "IdentityRefusedError", "Permission",
    "PermissionDeniedError", "Session", "__version__", "open_session",
    # --- views, ledger, imports, audit, users, administration, files (issue 22, part a) ---
    "NotFoundError", "show_claim", "show_account", "claim_history", "account_history",
    "LedgerCheck", "Violation", "check_ledger", "ledger_digest", "forwarding_balances",
    "import_files", "import_demo", "expand_paths", "demo_directory", "DemoResult", "ImportResult", "FileResult",
    "UnreadableInputError", "PolicyError", "list_policies", "set_policy", "remove_policy",
    "UserError", "AddedUser", "add_user", "set_role", "disable_user", "set_login",
    "set_password", "list_users",
]

if TYPE_CHECKING:
    from edi_posting.access.actor import IdentityRefusedError
    from edi_posting.access.permissions import Permission, PermissionDeniedError, UserError

    # --- views, ledger, imports, audit, users, administration, files (issue 22, part a) ---
    from edi_posting.api.imports import import_demo, import_files
    from edi_posting.api.ledger import (
        LedgerCheck,
        check_ledger,
        forwarding_balances,
        ledger_digest,
    )
    from edi_posting.api.policy import list_policies, remove_policy, set_policy
    from edi_posting.api.session import Session, open_session
    from edi_posting.api.users import (
        AddedUser,
        add_user,
        disable_user,
        list_users,
        set_login,
        set_password,
        set_role,
    )
    from edi_posting.api.views import (
        account_history,
        claim_history,
        show_account,
        show_claim,
    )
    from edi_posting.archive.user_input import UnreadableInputError
    from edi_posting.db.engine import DatabaseUnavailableError
    from edi_posting.db.migration import DatabaseBehindError
    from edi_posting.importing.demo import DemoResult, demo_directory
    from edi_posting.importing.pipeline import expand_paths
    from edi_posting.importing.units import FileResult, ImportResult
    from edi_posting.posting.policy import PolicyError
    from edi_posting.reports.ledger_checks import Violation
    from edi_posting.reports.views import NotFoundError


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'edi_posting' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
