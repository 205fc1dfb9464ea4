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
    "AddedUser": "edi_posting.api.users",
    "AuditVerification": "edi_posting.api.audit",
    "BadTimeError": "edi_posting.api.audit",
    "CodeListError": "edi_posting.codes.loader",
    "DemoResult": "edi_posting.importing.demo",
    "FileResult": "edi_posting.importing.units",
    "GenerationSummary": "edi_posting.testdata.generator",
    "GeneratorError": "edi_posting.testdata.generator",
    "HeadFormatError": "edi_posting.audit.head",
    "HeadsDisagreeError": "edi_posting.api.audit",
    "ImportResult": "edi_posting.importing.units",
    "LedgerCheck": "edi_posting.api.ledger",
    "NotFoundError": "edi_posting.reports.views",
    "PARSE_SCHEMA_VERSION": "edi_posting.api.files",
    "PolicyError": "edi_posting.posting.policy",
    "Principal": "edi_posting.access.permissions",
    "ReadOnlyLeakError": "edi_posting.db.migration",
    "SchemaState": "edi_posting.api.admin",
    "UnknownCodeError": "edi_posting.api.codes",
    "UnknownRoleError": "edi_posting.db.migration",
    "UnreadableInputError": "edi_posting.archive.user_input",
    "UpdatedCodeList": "edi_posting.api.codes",
    "UserError": "edi_posting.access.permissions",
    "ValidationResult": "edi_posting.x12.validation.validator",
    "Violation": "edi_posting.reports.ledger_checks",
    "account_history": "edi_posting.api.views",
    "add_user": "edi_posting.api.users",
    "audit_head": "edi_posting.api.audit",
    "audit_log": "edi_posting.api.audit",
    "check_ledger": "edi_posting.api.ledger",
    "check_schema": "edi_posting.api.admin",
    "claim_history": "edi_posting.api.views",
    "code_list_info": "edi_posting.api.codes",
    "demo_directory": "edi_posting.importing.demo",
    "disable_user": "edi_posting.api.users",
    "expand_paths": "edi_posting.importing.pipeline",
    "explain_code": "edi_posting.api.codes",
    "file_privacy_warnings": "edi_posting.api.audit",
    "forwarding_balances": "edi_posting.api.ledger",
    "generate_test_files": "edi_posting.api.testdata",
    "grant_role": "edi_posting.api.admin",
    "import_demo": "edi_posting.api.imports",
    "import_files": "edi_posting.api.imports",
    "ledger_digest": "edi_posting.api.ledger",
    "list_codes": "edi_posting.api.codes",
    "list_policies": "edi_posting.api.policy",
    "list_users": "edi_posting.api.users",
    "parse_file": "edi_posting.api.files",
    "parse_stats": "edi_posting.api.files",
    "readable_file": "edi_posting.archive.user_input",
    "remove_policy": "edi_posting.api.policy",
    "scenario_help": "edi_posting.api.testdata",
    "schema_revision": "edi_posting.api.admin",
    "set_login": "edi_posting.api.users",
    "set_password": "edi_posting.api.users",
    "set_policy": "edi_posting.api.policy",
    "set_role": "edi_posting.api.users",
    "show_account": "edi_posting.api.views",
    "show_claim": "edi_posting.api.views",
    "shown_database_url": "edi_posting.api.admin",
    "sum_parse_stats": "edi_posting.api.files",
    "update_code_list": "edi_posting.api.codes",
    "upgrade_database": "edi_posting.api.admin",
    "validate_file": "edi_posting.api.files",
    "verify_audit": "edi_posting.api.audit",
    "write_acks": "edi_posting.api.files",
}

__all__ = [  # the names of _EXPORTS, spelled out for type checkers (a test keeps them equal)
    "DatabaseBehindError", "DatabaseUnavailableError", "IdentityRefusedError", "Permission",
    "PermissionDeniedError", "Session", "__version__", "open_session",
]
__all__ += [  # views, ledger, imports, audit, users, administration, files (issue 22, a)
    "PARSE_SCHEMA_VERSION", "AddedUser", "AuditVerification", "BadTimeError", "CodeListError",
    "DemoResult", "FileResult", "GenerationSummary", "GeneratorError", "HeadFormatError",
    "HeadsDisagreeError", "ImportResult", "LedgerCheck", "NotFoundError", "PolicyError",
    "Principal", "ReadOnlyLeakError", "SchemaState", "UnknownCodeError", "UnknownRoleError",
    "UnreadableInputError", "UpdatedCodeList", "UserError", "ValidationResult", "Violation",
    "account_history", "add_user", "audit_head", "audit_log", "check_ledger", "check_schema",
    "claim_history", "code_list_info", "demo_directory", "disable_user", "expand_paths",
    "explain_code", "file_privacy_warnings", "forwarding_balances", "generate_test_files",
    "grant_role", "import_demo", "import_files", "ledger_digest", "list_codes", "list_policies",
    "list_users", "parse_file", "parse_stats", "readable_file", "remove_policy", "scenario_help",
    "schema_revision", "set_login", "set_password", "set_policy", "set_role", "show_account",
    "show_claim", "shown_database_url", "sum_parse_stats", "update_code_list", "upgrade_database",
    "validate_file", "verify_audit", "write_acks",
]

if TYPE_CHECKING:
    from edi_posting.access.actor import IdentityRefusedError
    from edi_posting.access.permissions import (
        Permission,
        PermissionDeniedError,
        Principal,
        UserError,
    )
    from edi_posting.api.admin import (
        SchemaState,
        check_schema,
        grant_role,
        schema_revision,
        shown_database_url,
        upgrade_database,
    )
    from edi_posting.api.audit import (
        AuditVerification,
        BadTimeError,
        HeadsDisagreeError,
        audit_head,
        audit_log,
        file_privacy_warnings,
        verify_audit,
    )
    from edi_posting.api.codes import (
        UnknownCodeError,
        UpdatedCodeList,
        code_list_info,
        explain_code,
        list_codes,
        update_code_list,
    )
    from edi_posting.api.files import (
        PARSE_SCHEMA_VERSION,
        parse_file,
        parse_stats,
        sum_parse_stats,
        validate_file,
        write_acks,
    )
    from edi_posting.api.imports import import_demo, import_files
    from edi_posting.api.ledger import LedgerCheck, check_ledger, forwarding_balances, ledger_digest
    from edi_posting.api.policy import list_policies, remove_policy, set_policy
    from edi_posting.api.session import Session, open_session
    from edi_posting.api.testdata import generate_test_files, scenario_help
    from edi_posting.api.users import (
        AddedUser,
        add_user,
        disable_user,
        list_users,
        set_login,
        set_password,
        set_role,
    )
    from edi_posting.api.views import account_history, claim_history, show_account, show_claim
    from edi_posting.archive.user_input import UnreadableInputError, readable_file
    from edi_posting.audit.head import HeadFormatError
    from edi_posting.codes.loader import CodeListError
    from edi_posting.db.engine import DatabaseUnavailableError
    from edi_posting.db.migration import DatabaseBehindError, ReadOnlyLeakError, UnknownRoleError
    from edi_posting.importing.demo import DemoResult, demo_directory
    from edi_posting.importing.pipeline import expand_paths
    from edi_posting.importing.units import FileResult, ImportResult
    from edi_posting.posting.policy import PolicyError
    from edi_posting.reports.ledger_checks import Violation
    from edi_posting.reports.views import NotFoundError
    from edi_posting.testdata.generator import GenerationSummary, GeneratorError
    from edi_posting.x12.validation.validator import ValidationResult

def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'edi_posting' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
