"""One file = one unit of work, end to end: archive -> read -> parse -> (validate) -> post ->
queue, per file and per transaction set (:mod:`~edi_posting.importing.pipeline`,
:mod:`~edi_posting.importing.units`), the 835 path (:mod:`~edi_posting.importing.remittances`),
the ``--validate`` gate, late 837s that release queued payments
(:mod:`~edi_posting.importing.late_claims`) and the demo day.

Takes paths; gives an ``ImportResult`` per file (counts, problems, acknowledgments).  It is
the only stage that knows the order of the others.
"""
