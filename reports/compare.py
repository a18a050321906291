"""``python -m bench compare DIR1 DIR2``: what changed between two runs, cell by cell.

Each run is summarised as its report does (lr chosen on its own tune starts, rate on its test
starts). For cells in both runs the table gives both rates, the difference B - A with Newcombe's
hybrid score interval for two independent proportions (statsmodels ``confint_proportions_2indep``,
Newcombe 1998, method 10), and the two tuned lrs. Cells in only one run are counted and listed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import confint_proportions_2indep

from ._load import CELL, ReportInputError, read_info, read_results
from .summary import summarize
from .tables import percent, to_markdown

LISTED = 8  # cells in only one run listed by name


def compare(dir_a: str | Path, dir_b: str | Path) -> tuple[pd.DataFrame, list[str]]:
    """(one row per cell in both runs, lines about the runs and the cells in only one of them)."""
    runs = []
    for path in (Path(dir_a), Path(dir_b)):
        try:
            info = read_info(path)
            runs.append((path, info, summarize(read_results(path))))
        except ReportInputError as error:
            raise ReportInputError(str(error).replace("report:", "compare:", 1)) from None
    (path_a, info_a, a), (path_b, info_b, b) = runs
    both = a.merge(b, on=CELL, suffixes=("_a", "_b"))
    rows = []
    for _, cell in both.iterrows():
        low, high = confint_proportions_2indep(
            cell["successes_b"], cell["n_b"], cell["successes_a"], cell["n_a"], method="newcomb", compare="diff"
        )
        rows.append(
            {
                **{c: cell[c] for c in CELL},
                "A %": percent(cell["success_rate_a"]),
                "B %": percent(cell["success_rate_b"]),
                "B - A (points) [95% CI]": f"{100 * (cell['success_rate_b'] - cell['success_rate_a']):+.1f} "
                f"[{100 * low:+.1f}, {100 * high:+.1f}]",
                "changed": "yes" if low > 0 or high < 0 else "",
                "lr* A": f"{cell['lr_best_a']:.2g}",
                "lr* B": f"{cell['lr_best_b']:.2g}",
            }
        )
    table = pd.DataFrame(rows, columns=[*CELL, "A %", "B %", "B - A (points) [95% CI]", "changed", "lr* A", "lr* B"])
    keys_a = set(map(tuple, a[CELL].astype(str).to_numpy()))
    keys_b = set(map(tuple, b[CELL].astype(str).to_numpy()))
    lines = [
        f"A: {path_a} (commit {info_a.get('git_commit') or 'unknown'}, {info_a['config']['run']['starts']} starts)",
        f"B: {path_b} (commit {info_b.get('git_commit') or 'unknown'}, {info_b['config']['run']['starts']} starts)",
        f"{len(table)} cells in both; {int(np.sum(table['changed'] == 'yes'))} changed (95% interval of B - A "
        f"excludes 0); {len(keys_a - keys_b)} only in A; {len(keys_b - keys_a)} only in B",
    ]
    for label, only in (("only in A", keys_a - keys_b), ("only in B", keys_b - keys_a)):
        listed = sorted(only)
        lines += [f"  {label}: {', '.join(key)}" for key in listed[:LISTED]]
        if len(listed) > LISTED:
            lines.append(f"  ... and {len(listed) - LISTED} more {label}")
    if info_a["fingerprint"] == info_b["fingerprint"]:
        lines.append("the two runs have the same config: differences come from the code or the machine")
    return table, lines


def render(table: pd.DataFrame, lines: list[str]) -> str:
    shown = table.drop(columns=[c for c in ("instance", "steps", "noise") if table[c].nunique() <= 1])
    return "\n".join(lines) + "\n\n" + (to_markdown(shown) if len(shown) else "(no cell in common)") + "\n"
