"""Shared fixtures. Tests run on the CPU; ``bench`` gives JAX one host device per core."""

import bench  # noqa: F401  (sets XLA_FLAGS before JAX starts its backend)
