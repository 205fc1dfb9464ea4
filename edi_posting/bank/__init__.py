"""The bank stage: bank deposit files (BAI2 and mapped CSV) read into deposit lines,
archived before parsing and stored once per bank reference.

Takes a file path; gives :class:`edi_posting.bank.records.DepositLine` records with
:class:`~edi_posting.records.problems.Problem` s naming the record or row and the field
(``bai2.py``, ``csv_file.py``), the trace found in a line (``traces.py``, the NACHA CCD+
``TRN`` addendum included) and the ``deposits`` rows written (``deposits.py``).  It sits at
the read layer: it knows nothing of remittances (``reconciliation`` matches them).
"""
