"""Storage: the tables (SQLAlchemy models, one module per area), the engine factory,
migrations, bulk writes and the database-side guards (CHECKs, triggers, statement-level
foreign keys).

Takes nothing from the stages above it; gives them rows (:mod:`~edi_posting.db.models`),
engines (:mod:`~edi_posting.db.engine`) and the schema's revision
(:mod:`~edi_posting.db.migration`).  Writes go through
:func:`edi_posting.audit.writes.write_transaction`, one layer up, so every row is vouched for.
"""
