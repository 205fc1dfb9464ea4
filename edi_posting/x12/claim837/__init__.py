"""The 837P/I/D parser: segments -> loops -> ``SubmittedClaimRecord``s and their parties.
"""
