"""The 2-D classic functions (being written)."""
