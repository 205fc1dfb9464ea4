"""The reconcile stage: the bank's deposits met with the money awaiting deposit.

Takes the stored deposit lines (``bank``) and the receipts that debited cash clearing
(``receipts.py``: 835 remittances and payments received without remittance; keyed EOBs
are added there); matches them by trace, then by payer and amount within a window
of business days, including bulk deposits and split remittances (``pairing.py``); posts
Dr bank / Cr cash clearing for each match and links the deposit line to what it met
(``matches.py``); opens ``silent_era``, ``lonely_deposit`` and ``deposit_variance`` items
(``reconcile.py``); reverses returned items (``returns.py``, a received payment's in
``payment_returns.py``) and reports each day and the
cash-clearing balance (``status.py``).  Sits above posting (it reads what posting wrote)
and below the queue actions (``review/deposits*.py`` match by hand through it).
"""
