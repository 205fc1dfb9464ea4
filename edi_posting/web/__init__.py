"""The web workbench: a Flask application over the public Python API, beside the CLI.

It takes a person's login (their own password), keeps who is logged in on the server, and
turns pages and form posts into calls of ``edi_posting``'s public names, which authorise
and audit every read and write themselves; no rule of the engine lives here.  Templates
are Jinja2 with HTMX, every asset is served from the package (``static/``), and the pages
carry the security headers a PHI application needs.  ``app.create_app`` builds it;
``edi-posting serve`` runs it under waitress.
"""
