"""The public Python API, one module per area; :mod:`edi_posting` re-exports it.

Takes a :class:`~edi_posting.api.session.Session` (the database and the authenticated user)
and plain arguments; gives records, dicts and results, never click or HTTP.  Every function
that reads PHI or writes authorises the session's user and puts the event on the audit
trail itself, so the CLI and the web application cannot forget either.
"""
