"""The X12 code lists as versioned data: CARC, RARC, group codes, CLP02, PLB reasons.

One loader (:mod:`~edi_posting.codes.loader`) for the lists shipped beside it (``<list>.json``) or
updated by the user (:mod:`~edi_posting.codes.update`); records with start and stop dates
(:mod:`~edi_posting.codes.records`); checks of an 835's codes on its date
(:mod:`~edi_posting.codes.check835`); descriptions for output (:func:`~edi_posting.codes.describe.describe_code`).
"""
