"""Alembic migrations, shipped in the wheel as ``edi_posting.migrations``."""
