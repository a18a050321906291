"""The suite from Python (a notebook, a script): ``bench.run(config) -> DataFrame``.

    import bench
    results = bench.run("bench/configs/smoke.toml")            # or a dict shaped like the TOML
    test = results[results["split"] == "test"]
    test.groupby(["function", "optimizer", "schedule", "lr"])["success_basin"].mean()

It is the CLI's ``run`` without the printing: the same validation (a bad config raises
``bench.config.ConfigError`` with the CLI's one-line message), the same run directory (resumed
when it holds the same config) and the same results table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from . import config as config_module
from . import results, runner


def load_config(config, overrides: list[str] | tuple[str, ...] = ()) -> config_module.Config:
    """A validated Config from a TOML path, a dict shaped like the TOML, or a Config."""
    if isinstance(config, config_module.Config):
        if overrides:
            raise TypeError("overrides apply to a TOML path or a dict, not to a parsed Config")
        return config
    if isinstance(config, Mapping):
        import copy

        return config_module.parse(config_module.apply_overrides(copy.deepcopy(dict(config)), list(overrides)))
    return config_module.load(config, list(overrides))


def run(
    config,
    out: str | Path | None = None,
    *,
    overrides: list[str] | tuple[str, ...] = (),
    fresh: bool = False,
    report: bool = False,
    log: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Run ``config`` into ``out`` (default ``runs/<run.name>``) and return results.parquet as a
    DataFrame (one row per start per cell, lr and params; DESIGN.md). ``overrides`` are
    ``--set`` style ``KEY=VALUE`` strings; ``report=True`` also builds tables, figures and report;
    ``log`` receives the progress lines (default: silent)."""
    loaded = load_config(config, overrides)
    out = Path(out) if out is not None else Path("runs") / loaded.run.name
    path = runner.run(loaded, out, fresh=fresh, log=log or (lambda line: None))
    if report:
        import reports

        reports.build(out)
    return results.read_table(path)
