"""Which importer a file goes to: the dispatch ``import`` runs before archiving it.

X12 files are told apart by their envelope (``x12.sniff``: GS01/ST01 and the version);
the payment CSVs by their header row (``payments.batch_files.header_kind``: a
patient-payment batch, a bank's lockbox detail).  A new input format (a keyed EOB) adds
its recognition to :func:`file_kind`, and its importer beside ``import_payment_file`` in
``pipeline._process_file``.
"""

from __future__ import annotations

from pathlib import Path

from edi_posting.payments.batch_files import PaymentFileKind, header_kind
from edi_posting.x12.sniff import HEAD_BYTES, sniff_kind

__all__ = ["PAYMENT_KINDS", "file_kind"]

PAYMENT_KINDS = frozenset(str(kind) for kind in PaymentFileKind)


def file_kind(path: Path) -> str:
    """'835', '837P', '837I', '837D', '999', 'patient_payments', 'lockbox' or 'unknown'."""
    with open(path, "rb") as handle:
        head = handle.read(HEAD_BYTES)
    found = header_kind(head)
    return str(found) if found is not None else sniff_kind(head)
