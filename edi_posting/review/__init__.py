"""What a payment resolution specialist does to a review item: assign, note, escalate,
dismiss (:mod:`~edi_posting.review.actions`); the money actions: apply, match again, post as
sent, move or write off a balance, refund, place a PLB, undo (``money``, ``rematch``,
``post_as_sent``, ``balances``, ``refunds``, ``plb_placement``, ``undo``); the second person
above a limit (``limits``, ``approvals``) and the documented reason codes.

Takes open items and the posting stage's rules; gives linked journal entries, item events and
audit events, each action in one transaction.
"""
