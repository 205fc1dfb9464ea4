"""edi-posting: a healthcare payment posting engine.

The public Python API is re-exported here; the CLI (`edi_posting.cli`) is a thin layer over it.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
