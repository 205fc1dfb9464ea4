"""The payments stage: money received without a remittance (issue 24).

Takes a payment as received (a payer's check with no 835 yet, a patient's payment at the
desk or online, a row of a patient-payment batch or of a bank's lockbox file) and gives
its ``received_payments`` row, the journal entry that puts it in cash clearing and, for a
payer's check, the ``awaiting_remittance`` item owning it in unapplied cash.  It also
gives posting the one hook it needs (``claims.claim_received_payments``): an 835 of the
same payer and trace takes the received check instead of counting its cash again.  Sits
below ``posting`` (which calls that hook) and above the ledger and the queue.
"""
