"""The match stage: which billed claim (837) each claim payment (835 CLP loop) pays
(:mod:`~edi_posting.matching.claims`), scored (:mod:`~edi_posting.matching.scores`) against
candidates the database finds in batches (:mod:`~edi_posting.matching.lookup`), and which
billed line each paid line pays (:mod:`~edi_posting.matching.lines`).

Takes matching facts (:mod:`~edi_posting.matching.records`); gives a ``ClaimMatch`` (claim,
lines, method, confidence or why there is none).  It reads the database, never writes it.
"""
