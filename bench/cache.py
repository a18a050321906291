"""JAX's persistent compilation cache, on by default: a second run of a config compiles nothing.

The cache lives in ``$GMBENCH_JAX_CACHE`` if set (``off`` disables it), else in
``$XDG_CACHE_HOME/gmbench/jax`` (``~/.cache/gmbench/jax``). A cache that JAX's own settings
(``JAX_COMPILATION_CACHE_DIR``) already name is left as it is. Entries are keyed by the program,
the compiler options and the devices, so a cached program is the program that would be compiled:
results do not depend on the cache.
"""

from __future__ import annotations

import os
from pathlib import Path

import jax

ENV = "GMBENCH_JAX_CACHE"
OFF = {"", "0", "off", "none", "false"}


def directory() -> Path | None:
    """Where the cache goes, or None when it is switched off."""
    chosen = os.environ.get(ENV)
    if chosen is not None:
        return None if chosen.strip().lower() in OFF else Path(chosen).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "gmbench" / "jax"


def enable() -> Path | None:
    """Point JAX's persistent cache at :func:`directory` (unless JAX's settings name one already)."""
    already = getattr(jax.config, "jax_compilation_cache_dir", None)
    if already:
        return Path(already)
    path = directory()
    if path is None:
        return None
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only home: run without the cache rather than fail
        return None
    jax.config.update("jax_compilation_cache_dir", str(path))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.5)
    return path
