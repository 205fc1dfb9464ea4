"""The post stage for 835s: one remittance (ST..SE) -> stored rows, journal entries and
review drafts, in one database transaction (:mod:`~edi_posting.posting.remittances`).

Along the way: what a claim payment says (:mod:`~edi_posting.posting.facts`), the posting
rules and the practice's CARC policy (``rules``, ``policy``), the decision to post, hold,
reverse or deny (``decisions``, ``adjudicated``), reversals paired with their originals
(``reversals``), provider-level adjustments (``plb``), the rows written in bulk (``store``),
the journal entries (``entries``) and what a posting changes beyond them (``followups``).
Each claim payment travels as one frozen ``ClaimPass`` (record, match, payer, row ids,
fact, decision: ``claim_pass``) beside the set's ``SetFrame``.
Takes a parsed ``Remittance`` and its matches; gives rows, entries and review drafts.
"""
