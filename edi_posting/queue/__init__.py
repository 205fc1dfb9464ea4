"""The queue stage's store: everything the engine could not post safely becomes a review item
(:mod:`~edi_posting.queue.items`), with what each kind of item holds
(:mod:`~edi_posting.queue.kinds`) and its money figures kept equal to the ledger
(:mod:`~edi_posting.queue.credits`, :mod:`~edi_posting.queue.credit_sides`).

Takes ``ReviewDraft``s from intake and posting; gives open items, one owner for every open
dollar.  What a specialist does to an item lives one layer up, in :mod:`edi_posting.review`.
"""
