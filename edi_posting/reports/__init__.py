"""What the engine tells people: a claim's and an account's state and timeline
(:mod:`~edi_posting.reports.views`, :mod:`~edi_posting.reports.history`), the evidence packet
of one review item (``evidence_packet``, ``evidence_html``), the ledger's invariant checks and
its digest (``ledger_checks``, ``ledger_digest``).

Takes the database (read only); gives rows and documents to the API.
"""
