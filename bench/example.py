"""A runnable example of the Python API: ``python -m bench.example [OUT_DIR]``.

Constant lr against cosine and linear decay with plain gradient descent on 2-D Rastrigin, 512
starts, 1000 steps (about ten seconds on 2 CPU cores): prints each schedule's success rate on the
test starts at the lr that did best on the tune starts, and the start-basin baseline.
"""

from __future__ import annotations

import sys

import bench

CONFIG = {
    "run": {"name": "example", "seed": 0, "starts": 512, "steps": 1000, "targets": [0.1]},
    "suite": [
        {
            "functions": ["rastrigin"],
            "dims": [2],
            "optimizers": ["sgd"],
            "schedules": ["constant", "cosine", "linear"],
            "lr": {"min": 1e-3, "max": 0.05, "num": 5},
        }
    ],
}


def main(argv: list[str]) -> None:
    out = argv[0] if argv else "runs/example"
    results = bench.run(CONFIG, out, overrides=argv[1:])
    rates = results.groupby(["split", "schedule", "lr"])["success_basin"].mean()
    print("success_basin on the test starts at the lr chosen on the tune starts:")
    for schedule, tune in rates["tune"].groupby(level="schedule"):
        lr = tune.droplevel("schedule").idxmax()  # ties: the smaller lr (the grid is ascending)
        print(f"  {schedule:10s} {100 * rates['test', schedule, lr]:5.1f}%  at lr {lr:.3g}")
    test = results[results["split"] == "test"]
    print(f"  baseline   {100 * test['start_in_global_basin'].mean():5.1f}%  (start already in the global basin)")


if __name__ == "__main__":
    main(sys.argv[1:])
