"""Who did what, provably: the hash-chained audit events (:mod:`~edi_posting.audit.events`),
the cross-reference from each event to the rows it vouches for (``links*``), the chain's
exported head (:mod:`~edi_posting.audit.head`), the authenticated login
(:mod:`~edi_posting.audit.login`) and the one write transaction every command uses
(:mod:`~edi_posting.audit.writes`).

Takes rows from :mod:`edi_posting.db`; gives ``record_event`` and ``write_transaction`` to
every stage above.
"""
