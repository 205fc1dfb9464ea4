"""Frozen records passed between the stages (read -> parse -> normalize -> match -> post)."""

from edi_posting.records.remittance import (
    Adjustment,
    AdjustmentGroup,
    ClaimPayment,
    ClaimStatus,
    ProviderAdjustment,
    Remittance,
    RemittanceEnd,
    RemittanceHeader,
    ServiceLinePayment,
)
from edi_posting.records.source import SourceRef

__all__ = [
    "Adjustment",
    "AdjustmentGroup",
    "ClaimPayment",
    "ClaimStatus",
    "ProviderAdjustment",
    "Remittance",
    "RemittanceEnd",
    "RemittanceHeader",
    "ServiceLinePayment",
    "SourceRef",
]
