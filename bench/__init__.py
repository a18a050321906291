"""The benchmark: configs, optimiser registry, the jit+vmap+scan engine, results I/O and the CLI.

Importing ``bench`` spreads work over every CPU core: unless ``XLA_FLAGS`` already says otherwise,
JAX's host platform is given one device per core (results do not depend on the count).
"""

import os

if "xla_force_host_platform_device_count" not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = (
        os.environ.get("XLA_FLAGS", "") + f" --xla_force_host_platform_device_count={os.cpu_count() or 1}"
    ).strip()


def run(config, out=None, **options):
    """Run a config (TOML path, dict or Config) and return its results as a DataFrame; see
    ``bench.api.run``. Imported lazily, so ``import bench`` stays cheap."""
    from .api import run as _run

    return _run(config, out, **options)
