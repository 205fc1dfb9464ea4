"""The 835 parser: segments -> loops -> a ``Remittance`` record, with its three balancing
levels (:mod:`~edi_posting.x12.remit835.balancing`) reported as problems.
"""
