"""JAX's persistent compilation cache is on by default and can be moved or switched off."""

from __future__ import annotations

from pathlib import Path

import jax

from bench import cache, engine  # noqa: F401  (importing the engine enables the cache)


def test_cache_directory_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv(cache.ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.directory() == tmp_path / "gmbench" / "jax"
    monkeypatch.setenv(cache.ENV, str(tmp_path / "mine"))
    assert cache.directory() == tmp_path / "mine"
    for off in ("off", "0", "", "None"):
        monkeypatch.setenv(cache.ENV, off)
        assert cache.directory() is None


def test_the_engine_compiles_into_the_persistent_cache():
    chosen = cache.directory()
    if chosen is None:  # switched off by whoever runs the tests
        assert not jax.config.jax_compilation_cache_dir
    else:
        assert Path(jax.config.jax_compilation_cache_dir).exists()
