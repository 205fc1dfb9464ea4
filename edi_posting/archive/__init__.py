"""The read stage's receipt: every file kept byte for byte with its SHA-256 before it is
parsed (:mod:`~edi_posting.archive.files`), archived bytes trusted only when they still hash
to it (:mod:`~edi_posting.archive.integrity`), each transaction set recorded once
(:mod:`~edi_posting.archive.transaction_sets`, the set level of idempotency), and the files and
directories a user names (:mod:`~edi_posting.archive.user_input`).

Takes paths and bytes; gives ``received_files`` and ``transaction_sets`` rows and a clear
refusal for what cannot be read.
"""
