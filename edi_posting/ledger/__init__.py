"""The double-entry book: balanced journal entries written in bulk, reversals, account and
claim balances (:mod:`~edi_posting.ledger.journal`).

Takes ``EntryDraft``s whose postings sum to zero; gives entry ids and balances.  Rows are
never updated or deleted: a correction is a new entry linked to the one it reverses.  The
ledger's invariant checks and its digest are reports (:mod:`edi_posting.reports`), because
they also compare the queue's figures with the ledger.
"""
