"""Seeded test data: matching 837 claims, 835 remittances, bank deposits and the expected
outcome of each (:mod:`~edi_posting.testdata.generator`), planned per payer
(:mod:`~edi_posting.testdata.scenarios`) and written as files (:mod:`~edi_posting.testdata.output`).

Takes a seed and a size; gives files.  Nothing in the product imports it except the
``generate`` command.
"""
