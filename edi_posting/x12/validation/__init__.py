"""Implementation-guide validation through pyx12 (the walk, its findings, its maps), the
engine's own content checks, and the 999/TA1 acknowledgments they produce; and the
guide's name of each element (``element_names``), read from the same maps.
"""
