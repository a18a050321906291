"""bench/perf.py: the peers compute the same workload as the engine, and the table reports ratios.
(The timings themselves are measured by ``make perf``, never asserted here.)"""

from __future__ import annotations

import numpy as np

from bench import perf


def test_numpy_peer_follows_the_engine_on_the_same_workload():
    x0 = perf.starts(64)
    engine_best, engine_hits = perf.run_engine(x0, 60)
    numpy_best, numpy_hits = perf.run_numpy(x0, 60)
    # Two float32 codes of one algorithm (the engine's sin on exactly reduced arguments, NumPy's
    # 10 - 10 cos): the same trajectories up to rounding, apart from the odd start that rounding
    # tips over a ridge.
    close = np.isclose(engine_best, numpy_best, rtol=1e-4, atol=1e-4)
    assert close.mean() >= 0.9
    assert np.mean(engine_hits[close] == numpy_hits[close]) >= 0.9
    start_values = np.sum(x0**2 + 10 - 10 * np.cos(2 * np.pi * x0), axis=1)
    assert np.all(numpy_best <= start_values + 1e-3) and np.median(numpy_best) < np.median(start_values)


def test_table_reports_ratios_and_names_missing_peers():
    summary = {
        "engine": {"seconds": 1.0, "compile_s": 2.0, "rate": 300e6, "peak_rss_mb": 400.0, "hit_share": 0.5},
        "numpy": {"seconds": 3.0, "compile_s": 0.0, "rate": 100e6, "peak_rss_mb": 50.0, "hit_share": 0.5},
        "torch_eager": {"missing": "not installed (torch)"},
        "numpy_sin": {"rate": 400e6, "peak_rss_mb": 30.0},
    }
    text = perf.table(summary)
    assert "| numpy | 100.0 M | 3.00 | 0.0 | 50 | 50.0% |" in text
    assert "| torch_eager | not installed (torch) |" in text
    assert "| numpy_sin | 400.0 M (elements/s, ceiling) | 0.75 |" in text
    assert perf.best_peer_line(summary) == "engine vs best peer: 3.00x (numpy)"
    assert perf.best_peer_line({"engine": summary["engine"]}) == "engine vs best peer: n/a (no peer ran)"
