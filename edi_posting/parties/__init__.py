"""Who is who across files: payers, providers, patients, accounts and coverages by any
identifier they were seen with (:mod:`~edi_posting.parties.identity`), one 837 set's parties
known in bulk (:mod:`~edi_posting.parties.directory`), and a provisional payer adopted by the
payer the 837s billed (:mod:`~edi_posting.parties.payer_adoption`).

Takes names and identifiers from parsed records; gives party ids.
"""
