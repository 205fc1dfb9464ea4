"""How a named report looks in each format: an aligned table, CSV, JSON, XLSX (XlsxWriter),
PDF (ReportLab) and chart PNGs (matplotlib).

Takes a :class:`~edi_posting.reports.report_model.Report` (data, computed once by
``reports/``); gives text or bytes.  Nothing here reads the database or computes a
figure, so every format shows the same cents.  One module per format
(``text``, ``xlsx``, ``pdf``, ``charts``), the remittance advice's paper layout in
``advice_pdf``, the cell rules every format shares (formula injection included) in
``cells``, and the dispatch in ``formats``.
"""
