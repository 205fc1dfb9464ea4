"""What the engine tells people: a claim's and an account's state and timeline
(:mod:`~edi_posting.reports.views`, :mod:`~edi_posting.reports.history`, the 835s that
adjudicated a claim in ``adjudications``), finding claims (``find``) and remittances
(``remits``: list and one check or EFT whole), the evidence packet
of one review item (``evidence_packet``, ``evidence_html``), the ledger's invariant checks and
its digest (``ledger_checks``, ``ledger_digest``).

Takes the database (read only); gives rows and documents to the API.
"""
