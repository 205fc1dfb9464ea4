"""Who may do what: users and roles (:mod:`~edi_posting.access.permissions`, the one
permission matrix), whose name goes on a command's work (:mod:`~edi_posting.access.actor`),
and the web logins' passwords (:mod:`~edi_posting.access.passwords`).

Takes the authenticated login (:mod:`edi_posting.audit.login`) and the ``users`` table; gives
``authorize`` and the acting user to every stage that writes.
"""
