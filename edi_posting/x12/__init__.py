"""X12 in and out, and the only package that imports pyx12: the reader and tokenizer, envelopes
and control numbers, the 835 parser (:mod:`~edi_posting.x12.remit835`), the 837 parser
(:mod:`~edi_posting.x12.claim837`) and implementation-guide validation with 999/TA1
acknowledgments (:mod:`~edi_posting.x12.validation`).

Takes bytes; gives records (:mod:`edi_posting.records`) and problems with their segment
positions.
"""
