"""The shared vocabulary: frozen records passed between the stages (read -> parse ->
normalize -> match -> post), the enums of the domain's states and codes, and input problems.

Takes nothing (it sits below every stage); gives the 835 records
(:mod:`~edi_posting.records.remittance`), the 837 records (:mod:`~edi_posting.records.claim`),
envelopes and source positions, the state enums (:mod:`~edi_posting.records.states`) and
:class:`~edi_posting.records.problems.Problem`.
"""
