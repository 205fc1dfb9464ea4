"""Read stage for keyed paper EOBs: a CSV or JSON file a person keyed from paper -> the same
remittance records an 835 gives (:mod:`edi_posting.records.remittance`), one per check.

Beside ``x12/`` (and above it: it reuses the 835's balancing checks, which work on the
records); it never imports pyx12.  ``template`` is the documented layout (columns, the JSON
skeleton), ``rows`` turns either form into numbered rows, ``fields`` reads one typed value
of a row (every bad value a :class:`~edi_posting.records.problems.Problem` naming file, row
and column), ``checks`` groups rows into checks and claims and builds the records.  Every
row is read before any result is returned, so a keyer sees all of a file's problems at once.
"""
