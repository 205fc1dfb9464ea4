"""The post stage for 837s: one claim transaction set -> billed claims, lines and charges
(:mod:`~edi_posting.intake.claims`), with the engine's claim checks
(:mod:`~edi_posting.intake.checks`) and the duplicate-claim guard
(:mod:`~edi_posting.intake.duplicates`).

Takes ``SubmittedClaimRecord``s from :mod:`edi_posting.x12.claim837`; gives
``submitted_claims`` rows, charge entries in the ledger and review drafts for what it refuses.
"""
