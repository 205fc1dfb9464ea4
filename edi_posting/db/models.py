"""All persisted rows, imported in one place so the metadata is complete for Alembic."""

from edi_posting.db.approvals import Approval
from edi_posting.db.base import Base
from edi_posting.db.claims import SubmittedClaim, SubmittedLine
from edi_posting.db.intake import (
    Acknowledgement,
    FunctionalGroup,
    Interchange,
    ReceivedFile,
    TransactionSet,
)
from edi_posting.db.ledger import ACCOUNT_CODES, JournalEntry, JournalLine, LedgerAccount
from edi_posting.db.parties import (
    Coverage,
    Patient,
    PatientAccount,
    Payer,
    PayerAlias,
    Provider,
    User,
)
from edi_posting.db.payments import ReceivedPayment
from edi_posting.db.periods import AccountingPeriod
from edi_posting.db.remittances import (
    Adjustment,
    ClaimPayment,
    ProviderAdjustment,
    RemarkCode,
    Remittance,
    ServiceLinePayment,
    SupplementalAmount,
)
from edi_posting.db.workflow import (
    AuditEvent,
    Deposit,
    DepositMatch,
    PostingPolicy,
    Refund,
    ReviewItem,
    ReviewItemEvent,
    Setting,
)

__all__ = [
    "ACCOUNT_CODES",
    "AccountingPeriod",
    "Acknowledgement",
    "Adjustment",
    "Approval",
    "AuditEvent",
    "Base",
    "ClaimPayment",
    "Coverage",
    "Deposit",
    "DepositMatch",
    "FunctionalGroup",
    "Interchange",
    "JournalEntry",
    "JournalLine",
    "LedgerAccount",
    "Patient",
    "PatientAccount",
    "Payer",
    "PayerAlias",
    "PostingPolicy",
    "Provider",
    "ProviderAdjustment",
    "ReceivedFile",
    "ReceivedPayment",
    "Refund",
    "RemarkCode",
    "Remittance",
    "ReviewItem",
    "ReviewItemEvent",
    "ServiceLinePayment",
    "Setting",
    "SubmittedClaim",
    "SubmittedLine",
    "SupplementalAmount",
    "TransactionSet",
    "User",
]
