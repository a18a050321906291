"""The d-dimensional classic functions beyond the first set (being written)."""
