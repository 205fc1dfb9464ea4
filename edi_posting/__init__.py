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
#: the errors and results a caller handles are exported from where they are defined).
_EXPORTS: dict[str, str] = {
    "accept_match": "edi_posting.api.queue_money",
    "accept_rejected_set": "edi_posting.api.queue_money",
    "accept_variance": "edi_posting.api.deposit_items",
    "account_history": "edi_posting.api.views",
    "ActionError": "edi_posting.review.actions",
    "ActionResult": "edi_posting.review.money",
    "add_user": "edi_posting.api.users",
    "AddedUser": "edi_posting.api.users",
    "AmbiguousRemittanceError": "edi_posting.reports.remits",
    "apply_cash": "edi_posting.api.queue_money",
    "approvals_waiting": "edi_posting.api.web_approvals",
    "ApprovalsWaiting": "edi_posting.api.web_approvals",
    "approve": "edi_posting.api.approvals",
    "ArchiveIntegrityError": "edi_posting.archive.integrity",
    "assign_item": "edi_posting.api.queue",
    "assign_items": "edi_posting.api.queue_work",
    "audit_head": "edi_posting.api.audit",
    "audit_log": "edi_posting.api.audit",
    "AuditVerification": "edi_posting.api.audit",
    "BadTimeError": "edi_posting.api.audit",
    "BulkOutcome": "edi_posting.review.bulk",
    "BulkReport": "edi_posting.api.queue_work",
    "chargeback_won": "edi_posting.api.deposit_items",
    "check_keyed_eob": "edi_posting.api.web_eob",
    "check_ledger": "edi_posting.api.ledger",
    "check_reason": "edi_posting.review.reason_codes",
    "check_schema": "edi_posting.api.admin",
    "claim_history": "edi_posting.api.views",
    "claim_payment": "edi_posting.api.payments",
    "close_period": "edi_posting.api.periods",
    "code_list_info": "edi_posting.api.codes",
    "CodeListError": "edi_posting.codes.loader",
    "ConfirmationNeeded": "edi_posting.review.money",
    "count_approvals_waiting": "edi_posting.api.web_approvals",
    "DatabaseBehindError": "edi_posting.db.migration",
    "DatabaseUnavailableError": "edi_posting.db.engine",
    "demo_directory": "edi_posting.importing.demo",
    "DemoResult": "edi_posting.importing.demo",
    "deposit_mappings": "edi_posting.api.web_reconcile",
    "DepositImport": "edi_posting.bank.deposits",
    "disable_user": "edi_posting.api.users",
    "dismiss_item": "edi_posting.api.queue",
    "DOWNLOAD_FORMATS": "edi_posting.api.web_reports",
    "download_report": "edi_posting.api.web_reports",
    "eob_template": "edi_posting.api.eobs",
    "EOB_TEMPLATE_FORMS": "edi_posting.api.eobs",
    "escalate_item": "edi_posting.api.queue",
    "escalate_items": "edi_posting.api.queue_work",
    "expand_paths": "edi_posting.importing.pipeline",
    "explain_code": "edi_posting.api.codes",
    "file_privacy_warnings": "edi_posting.api.audit",
    "FileResult": "edi_posting.importing.units",
    "find_claims": "edi_posting.api.find",
    "follow_up_defaults": "edi_posting.api.queue_work",
    "follow_up_item": "edi_posting.api.queue_work",
    "forwarding_balances": "edi_posting.api.ledger",
    "generate_test_files": "edi_posting.api.testdata",
    "GenerationSummary": "edi_posting.testdata.generator",
    "GeneratorError": "edi_posting.testdata.generator",
    "grant_role": "edi_posting.api.admin",
    "HeadFormatError": "edi_posting.audit.head",
    "HeadsDisagreeError": "edi_posting.api.audit",
    "IdentityRefusedError": "edi_posting.access.actor",
    "import_demo": "edi_posting.api.imports",
    "import_deposits": "edi_posting.api.deposits",
    "import_files": "edi_posting.api.imports",
    "ImportResult": "edi_posting.importing.units",
    "ItemFilter": "edi_posting.api.queue_work",
    "keyed_eob_document": "edi_posting.api.web_eob",
    "keyed_eob_file": "edi_posting.api.web_eob",
    "keyed_eob_form": "edi_posting.api.web_eob",
    "KeyedEobCheck": "edi_posting.api.web_eob_balance",
    "KeyedEobLayout": "edi_posting.api.web_eob",
    "ledger_digest": "edi_posting.api.ledger",
    "LedgerCheck": "edi_posting.api.ledger",
    "link_correction": "edi_posting.api.queue_money",
    "list_approvals": "edi_posting.api.approvals",
    "list_codes": "edi_posting.api.codes",
    "list_deposits": "edi_posting.api.deposits",
    "list_periods": "edi_posting.api.periods",
    "list_policies": "edi_posting.api.policy",
    "list_queue": "edi_posting.api.queue",
    "list_received_files": "edi_posting.api.received",
    "list_remittances": "edi_posting.api.remits",
    "list_reports": "edi_posting.api.reports",
    "list_users": "edi_posting.api.users",
    "LoginRefusedError": "edi_posting.api.web_login",
    "match_deposit": "edi_posting.api.deposit_items",
    "note_item": "edi_posting.api.queue",
    "NotFoundError": "edi_posting.reports.views",
    "open_session": "edi_posting.api.session",
    "parse_file": "edi_posting.api.files",
    "PARSE_SCHEMA_VERSION": "edi_posting.api.files",
    "parse_stats": "edi_posting.api.files",
    "PaymentAlreadyReceivedError": "edi_posting.payments.received",
    "PaymentError": "edi_posting.payments.received",
    "payments_awaiting_deposit": "edi_posting.api.payments",
    "PeriodError": "edi_posting.ledger.periods",
    "Permission": "edi_posting.access.permissions",
    "PermissionDeniedError": "edi_posting.access.permissions",
    "place_plb": "edi_posting.api.queue_money",
    "PolicyError": "edi_posting.posting.policy",
    "post_claim_as_sent": "edi_posting.api.queue_money",
    "post_patient_payment": "edi_posting.api.payments",
    "preview_import": "edi_posting.api.received",
    "Principal": "edi_posting.access.permissions",
    "queue_page": "edi_posting.api.web_queue",
    "queue_stats": "edi_posting.api.queue",
    "QueuePage": "edi_posting.api.web_queue",
    "QueuePageQuery": "edi_posting.api.web_queue",
    "QueuePageSort": "edi_posting.api.web_queue",
    "readable_file": "edi_posting.archive.user_input",
    "ReadOnlyLeakError": "edi_posting.db.migration",
    "reapply_credit": "edi_posting.api.queue_money",
    "ReasonCode": "edi_posting.review.reason_codes",
    "ReasonError": "edi_posting.review.reason_codes",
    "receive_deposit": "edi_posting.api.deposit_items",
    "receive_payment": "edi_posting.api.payments",
    "Received": "edi_posting.payments.received",
    "RECEIVED_FILE_KINDS": "edi_posting.api.received",
    "ReceivedFilesPage": "edi_posting.api.received",
    "ReceivedQuery": "edi_posting.api.received",
    "reconcile": "edi_posting.api.deposits",
    "reconcile_status": "edi_posting.api.deposits",
    "reconcile_window": "edi_posting.api.deposits",
    "ReconcileResult": "edi_posting.reconciliation.reconcile",
    "reconciliation_view": "edi_posting.api.web_reconcile",
    "refund_credit": "edi_posting.api.queue_money",
    "refund_limit": "edi_posting.api.approvals",
    "rehearse_approval": "edi_posting.api.web_approvals",
    "reject_approval": "edi_posting.api.approvals",
    "rematch_items": "edi_posting.api.queue_money",
    "RematchReport": "edi_posting.api.queue_money",
    "remove_policy": "edi_posting.api.policy",
    "render_report": "edi_posting.api.reports",
    "reopen_period": "edi_posting.api.periods",
    "Report": "edi_posting.reports.report_model",
    "report_chart": "edi_posting.api.web_reports",
    "report_page": "edi_posting.api.web_reports",
    "ReportDownload": "edi_posting.api.web_reports",
    "ReportFormat": "edi_posting.rendering.formats",
    "ReportPage": "edi_posting.api.web_reports",
    "ReportQuery": "edi_posting.reports.report_model",
    "ReportTable": "edi_posting.api.web_reports",
    "ReportUsageError": "edi_posting.api.reports",
    "request_era": "edi_posting.api.deposit_items",
    "return_payment": "edi_posting.api.queue_money",
    "ReviewKind": "edi_posting.records.states",
    "ReviewStatus": "edi_posting.db.workflow",
    "run_report": "edi_posting.api.reports",
    "scenario_help": "edi_posting.api.testdata",
    "schema_revision": "edi_posting.api.admin",
    "SchemaState": "edi_posting.api.admin",
    "Session": "edi_posting.api.session",
    "set_follow_up_default": "edi_posting.api.queue_work",
    "set_login": "edi_posting.api.users",
    "set_password": "edi_posting.api.users",
    "set_policy": "edi_posting.api.policy",
    "set_reconcile_window": "edi_posting.api.deposits",
    "set_refund_limit": "edi_posting.api.approvals",
    "set_role": "edi_posting.api.users",
    "set_write_off_limit": "edi_posting.api.approvals",
    "show_account": "edi_posting.api.views",
    "show_claim": "edi_posting.api.views",
    "show_queue_item": "edi_posting.api.queue",
    "show_received_file": "edi_posting.api.received",
    "show_remittance": "edi_posting.api.remits",
    "shown_database_url": "edi_posting.api.admin",
    "sum_parse_stats": "edi_posting.api.files",
    "transfer_balance": "edi_posting.api.queue_money",
    "undo_action": "edi_posting.api.queue_money",
    "UnknownCodeError": "edi_posting.api.codes",
    "UnknownMappingError": "edi_posting.bank.deposits",
    "UnknownRoleError": "edi_posting.db.migration",
    "UnreadableInputError": "edi_posting.archive.user_input",
    "update_code_list": "edi_posting.api.codes",
    "UpdatedCodeList": "edi_posting.api.codes",
    "upgrade_database": "edi_posting.api.admin",
    "user_permissions": "edi_posting.api.web_login",
    "UserError": "edi_posting.access.permissions",
    "validate_file": "edi_posting.api.files",
    "ValidationResult": "edi_posting.x12.validation.validator",
    "verify_audit": "edi_posting.api.audit",
    "Violation": "edi_posting.reports.ledger_checks",
    "web_login": "edi_posting.api.web_login",
    "web_login_locked": "edi_posting.api.web_login",
    "web_logout": "edi_posting.api.web_login",
    "web_session": "edi_posting.api.web_login",
    "WebLogout": "edi_posting.api.web_login",
    "write_acks": "edi_posting.api.files",
    "write_evidence_packet": "edi_posting.api.queue",
    "write_off": "edi_posting.api.queue_money",
    "write_off_items": "edi_posting.api.queue_work",
    "write_off_limit": "edi_posting.api.approvals",
    "write_report_charts": "edi_posting.api.reports",
}

__all__ = [  # the names of _EXPORTS, spelled out for type checkers (a test keeps them equal)
    "DOWNLOAD_FORMATS",
    "EOB_TEMPLATE_FORMS",
    "PARSE_SCHEMA_VERSION",
    "RECEIVED_FILE_KINDS",
    "ActionError",
    "ActionResult",
    "AddedUser",
    "AmbiguousRemittanceError",
    "ApprovalsWaiting",
    "ArchiveIntegrityError",
    "AuditVerification",
    "BadTimeError",
    "BulkOutcome",
    "BulkReport",
    "CodeListError",
    "ConfirmationNeeded",
    "DatabaseBehindError",
    "DatabaseUnavailableError",
    "DemoResult",
    "DepositImport",
    "FileResult",
    "GenerationSummary",
    "GeneratorError",
    "HeadFormatError",
    "HeadsDisagreeError",
    "IdentityRefusedError",
    "ImportResult",
    "ItemFilter",
    "KeyedEobCheck",
    "KeyedEobLayout",
    "LedgerCheck",
    "LoginRefusedError",
    "NotFoundError",
    "PaymentAlreadyReceivedError",
    "PaymentError",
    "PeriodError",
    "Permission",
    "PermissionDeniedError",
    "PolicyError",
    "Principal",
    "QueuePage",
    "QueuePageQuery",
    "QueuePageSort",
    "ReadOnlyLeakError",
    "ReasonCode",
    "ReasonError",
    "Received",
    "ReceivedFilesPage",
    "ReceivedQuery",
    "ReconcileResult",
    "RematchReport",
    "Report",
    "ReportDownload",
    "ReportFormat",
    "ReportPage",
    "ReportQuery",
    "ReportTable",
    "ReportUsageError",
    "ReviewKind",
    "ReviewStatus",
    "SchemaState",
    "Session",
    "UnknownCodeError",
    "UnknownMappingError",
    "UnknownRoleError",
    "UnreadableInputError",
    "UpdatedCodeList",
    "UserError",
    "ValidationResult",
    "Violation",
    "WebLogout",
    "__version__",
    "accept_match",
    "accept_rejected_set",
    "accept_variance",
    "account_history",
    "add_user",
    "apply_cash",
    "approvals_waiting",
    "approve",
    "assign_item",
    "assign_items",
    "audit_head",
    "audit_log",
    "chargeback_won",
    "check_keyed_eob",
    "check_ledger",
    "check_reason",
    "check_schema",
    "claim_history",
    "claim_payment",
    "close_period",
    "code_list_info",
    "count_approvals_waiting",
    "demo_directory",
    "deposit_mappings",
    "disable_user",
    "dismiss_item",
    "download_report",
    "eob_template",
    "escalate_item",
    "escalate_items",
    "expand_paths",
    "explain_code",
    "file_privacy_warnings",
    "find_claims",
    "follow_up_defaults",
    "follow_up_item",
    "forwarding_balances",
    "generate_test_files",
    "grant_role",
    "import_demo",
    "import_deposits",
    "import_files",
    "keyed_eob_document",
    "keyed_eob_file",
    "keyed_eob_form",
    "ledger_digest",
    "link_correction",
    "list_approvals",
    "list_codes",
    "list_deposits",
    "list_periods",
    "list_policies",
    "list_queue",
    "list_received_files",
    "list_remittances",
    "list_reports",
    "list_users",
    "match_deposit",
    "note_item",
    "open_session",
    "parse_file",
    "parse_stats",
    "payments_awaiting_deposit",
    "place_plb",
    "post_claim_as_sent",
    "post_patient_payment",
    "preview_import",
    "queue_page",
    "queue_stats",
    "readable_file",
    "reapply_credit",
    "receive_deposit",
    "receive_payment",
    "reconcile",
    "reconcile_status",
    "reconcile_window",
    "reconciliation_view",
    "refund_credit",
    "refund_limit",
    "rehearse_approval",
    "reject_approval",
    "rematch_items",
    "remove_policy",
    "render_report",
    "reopen_period",
    "report_chart",
    "report_page",
    "request_era",
    "return_payment",
    "run_report",
    "scenario_help",
    "schema_revision",
    "set_follow_up_default",
    "set_login",
    "set_password",
    "set_policy",
    "set_reconcile_window",
    "set_refund_limit",
    "set_role",
    "set_write_off_limit",
    "show_account",
    "show_claim",
    "show_queue_item",
    "show_received_file",
    "show_remittance",
    "shown_database_url",
    "sum_parse_stats",
    "transfer_balance",
    "undo_action",
    "update_code_list",
    "upgrade_database",
    "user_permissions",
    "validate_file",
    "verify_audit",
    "web_login",
    "web_login_locked",
    "web_logout",
    "web_session",
    "write_acks",
    "write_evidence_packet",
    "write_off",
    "write_off_items",
    "write_off_limit",
    "write_report_charts",
]

if TYPE_CHECKING:
    from edi_posting.access.actor import (
        IdentityRefusedError,
    )
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
    from edi_posting.api.approvals import (
        approve,
        list_approvals,
        refund_limit,
        reject_approval,
        set_refund_limit,
        set_write_off_limit,
        write_off_limit,
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
    from edi_posting.api.deposit_items import (
        accept_variance,
        chargeback_won,
        match_deposit,
        receive_deposit,
        request_era,
    )
    from edi_posting.api.deposits import (
        import_deposits,
        list_deposits,
        reconcile,
        reconcile_status,
        reconcile_window,
        set_reconcile_window,
    )
    from edi_posting.api.eobs import (
        EOB_TEMPLATE_FORMS,
        eob_template,
    )
    from edi_posting.api.files import (
        PARSE_SCHEMA_VERSION,
        parse_file,
        parse_stats,
        sum_parse_stats,
        validate_file,
        write_acks,
    )
    from edi_posting.api.find import (
        find_claims,
    )
    from edi_posting.api.imports import (
        import_demo,
        import_files,
    )
    from edi_posting.api.ledger import (
        LedgerCheck,
        check_ledger,
        forwarding_balances,
        ledger_digest,
    )
    from edi_posting.api.payments import (
        claim_payment,
        payments_awaiting_deposit,
        post_patient_payment,
        receive_payment,
    )
    from edi_posting.api.periods import (
        close_period,
        list_periods,
        reopen_period,
    )
    from edi_posting.api.policy import (
        list_policies,
        remove_policy,
        set_policy,
    )
    from edi_posting.api.queue import (
        assign_item,
        dismiss_item,
        escalate_item,
        list_queue,
        note_item,
        queue_stats,
        show_queue_item,
        write_evidence_packet,
    )
    from edi_posting.api.queue_money import (
        RematchReport,
        accept_match,
        accept_rejected_set,
        apply_cash,
        link_correction,
        place_plb,
        post_claim_as_sent,
        reapply_credit,
        refund_credit,
        rematch_items,
        return_payment,
        transfer_balance,
        undo_action,
        write_off,
    )
    from edi_posting.api.queue_work import (
        BulkReport,
        ItemFilter,
        assign_items,
        escalate_items,
        follow_up_defaults,
        follow_up_item,
        set_follow_up_default,
        write_off_items,
    )
    from edi_posting.api.received import (
        RECEIVED_FILE_KINDS,
        ReceivedFilesPage,
        ReceivedQuery,
        list_received_files,
        preview_import,
        show_received_file,
    )
    from edi_posting.api.remits import (
        list_remittances,
        show_remittance,
    )
    from edi_posting.api.reports import (
        ReportUsageError,
        list_reports,
        render_report,
        run_report,
        write_report_charts,
    )
    from edi_posting.api.session import (
        Session,
        open_session,
    )
    from edi_posting.api.testdata import (
        generate_test_files,
        scenario_help,
    )
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
    from edi_posting.api.web_approvals import (
        ApprovalsWaiting,
        approvals_waiting,
        count_approvals_waiting,
        rehearse_approval,
    )
    from edi_posting.api.web_eob import (
        KeyedEobLayout,
        check_keyed_eob,
        keyed_eob_document,
        keyed_eob_file,
        keyed_eob_form,
    )
    from edi_posting.api.web_eob_balance import (
        KeyedEobCheck,
    )
    from edi_posting.api.web_login import (
        LoginRefusedError,
        WebLogout,
        user_permissions,
        web_login,
        web_login_locked,
        web_logout,
        web_session,
    )
    from edi_posting.api.web_queue import (
        QueuePage,
        QueuePageQuery,
        QueuePageSort,
        queue_page,
    )
    from edi_posting.api.web_reconcile import (
        deposit_mappings,
        reconciliation_view,
    )
    from edi_posting.api.web_reports import (
        DOWNLOAD_FORMATS,
        ReportDownload,
        ReportPage,
        ReportTable,
        download_report,
        report_chart,
        report_page,
    )
    from edi_posting.archive.integrity import (
        ArchiveIntegrityError,
    )
    from edi_posting.archive.user_input import (
        UnreadableInputError,
        readable_file,
    )
    from edi_posting.audit.head import (
        HeadFormatError,
    )
    from edi_posting.bank.deposits import (
        DepositImport,
        UnknownMappingError,
    )
    from edi_posting.codes.loader import (
        CodeListError,
    )
    from edi_posting.db.engine import (
        DatabaseUnavailableError,
    )
    from edi_posting.db.migration import (
        DatabaseBehindError,
        ReadOnlyLeakError,
        UnknownRoleError,
    )
    from edi_posting.db.workflow import (
        ReviewStatus,
    )
    from edi_posting.importing.demo import (
        DemoResult,
        demo_directory,
    )
    from edi_posting.importing.pipeline import (
        expand_paths,
    )
    from edi_posting.importing.units import (
        FileResult,
        ImportResult,
    )
    from edi_posting.ledger.periods import (
        PeriodError,
    )
    from edi_posting.payments.received import (
        PaymentAlreadyReceivedError,
        PaymentError,
        Received,
    )
    from edi_posting.posting.policy import (
        PolicyError,
    )
    from edi_posting.reconciliation.reconcile import (
        ReconcileResult,
    )
    from edi_posting.records.states import (
        ReviewKind,
    )
    from edi_posting.rendering.formats import (
        ReportFormat,
    )
    from edi_posting.reports.ledger_checks import (
        Violation,
    )
    from edi_posting.reports.remits import (
        AmbiguousRemittanceError,
    )
    from edi_posting.reports.report_model import (
        Report,
        ReportQuery,
    )
    from edi_posting.reports.views import (
        NotFoundError,
    )
    from edi_posting.review.actions import (
        ActionError,
    )
    from edi_posting.review.bulk import (
        BulkOutcome,
    )
    from edi_posting.review.money import (
        ActionResult,
        ConfirmationNeeded,
    )
    from edi_posting.review.reason_codes import (
        ReasonCode,
        ReasonError,
        check_reason,
    )
    from edi_posting.testdata.generator import (
        GenerationSummary,
        GeneratorError,
    )
    from edi_posting.x12.validation.validator import (
        ValidationResult,
    )

def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'edi_posting' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
