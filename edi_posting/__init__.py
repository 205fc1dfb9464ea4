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
    # the review queue (edi_posting.api.queue, queue_money, approvals) and what it raises
    "ActionError": "edi_posting.review.actions",
    "ActionResult": "edi_posting.review.money",
    "ArchiveIntegrityError": "edi_posting.archive.integrity",
    "ConfirmationNeeded": "edi_posting.review.money",
    "ReasonCode": "edi_posting.review.reason_codes",
    "ReasonError": "edi_posting.review.reason_codes",
    "RematchReport": "edi_posting.api.queue_money",
    "accept_match": "edi_posting.api.queue_money",
    "apply_cash": "edi_posting.api.queue_money",
    "approve": "edi_posting.api.approvals",
    "assign_item": "edi_posting.api.queue",
    "check_reason": "edi_posting.review.reason_codes",
    "dismiss_item": "edi_posting.api.queue",
    "escalate_item": "edi_posting.api.queue",
    "link_correction": "edi_posting.api.queue_money",
    "list_approvals": "edi_posting.api.approvals",
    "list_queue": "edi_posting.api.queue",
    "note_item": "edi_posting.api.queue",
    "place_plb": "edi_posting.api.queue_money",
    "post_claim_as_sent": "edi_posting.api.queue_money",
    "queue_stats": "edi_posting.api.queue",
    "reapply_credit": "edi_posting.api.queue_money",
    "refund_credit": "edi_posting.api.queue_money",
    "refund_limit": "edi_posting.api.approvals",
    "reject_approval": "edi_posting.api.approvals",
    "rematch_items": "edi_posting.api.queue_money",
    "set_refund_limit": "edi_posting.api.approvals",
    "set_write_off_limit": "edi_posting.api.approvals",
    "show_queue_item": "edi_posting.api.queue",
    "transfer_balance": "edi_posting.api.queue_money",
    "undo_action": "edi_posting.api.queue_money",
    "write_evidence_packet": "edi_posting.api.queue",
    "write_off": "edi_posting.api.queue_money",
    "write_off_limit": "edi_posting.api.approvals",
}

__all__ = [  # the names of _EXPORTS, spelled out for type checkers (a test keeps them equal)
    "DatabaseBehindError", "DatabaseUnavailableError", "IdentityRefusedError", "Permission",
    "PermissionDeniedError", "Session", "__version__", "open_session",
]
__all__ += [  # the review queue
    "ActionError", "ActionResult", "ArchiveIntegrityError", "ConfirmationNeeded", "ReasonCode",
    "ReasonError", "RematchReport", "accept_match", "apply_cash", "approve", "assign_item",
    "check_reason", "dismiss_item", "escalate_item", "link_correction", "list_approvals",
    "list_queue", "note_item", "place_plb", "post_claim_as_sent", "queue_stats",
    "reapply_credit", "refund_credit", "refund_limit", "reject_approval", "rematch_items",
    "set_refund_limit", "set_write_off_limit", "show_queue_item", "transfer_balance",
    "undo_action", "write_evidence_packet", "write_off", "write_off_limit",
]

if TYPE_CHECKING:
    from edi_posting.access.actor import IdentityRefusedError
    from edi_posting.access.permissions import Permission, PermissionDeniedError
    from edi_posting.api.session import Session, open_session
    from edi_posting.db.engine import DatabaseUnavailableError
    from edi_posting.db.migration import DatabaseBehindError

if TYPE_CHECKING:  # the review queue
    from edi_posting.api.approvals import (
        approve,
        list_approvals,
        refund_limit,
        reject_approval,
        set_refund_limit,
        set_write_off_limit,
        write_off_limit,
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
        apply_cash,
        link_correction,
        place_plb,
        post_claim_as_sent,
        reapply_credit,
        refund_credit,
        rematch_items,
        transfer_balance,
        undo_action,
        write_off,
    )
    from edi_posting.archive.integrity import ArchiveIntegrityError
    from edi_posting.review.actions import ActionError
    from edi_posting.review.money import ActionResult, ConfirmationNeeded
    from edi_posting.review.reason_codes import ReasonCode, ReasonError, check_reason


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'edi_posting' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
