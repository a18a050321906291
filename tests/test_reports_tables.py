"""Tables from results with known counts: bold best, ERT cells (R1), ranks, ratios and bounds; the
LaTeX (pandas Styler, booktabs) compiled with pdflatex in a minimal document."""

from __future__ import annotations

import os
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

from reports import tables
from reports.summary import overall_against_constant, summarize

N = 20


def cell(schedule: str, successes: int, final: int, hit: list[int], lr: float = 0.1, dim: int = 2) -> pd.DataFrame:
    rows = []
    for i in range(N):
        for split, index in (("tune", 2 * i), ("test", 2 * i + 1)):
            rows.append(
                {
                    "function": "rastrigin",
                    "dim": dim,
                    "instance": 0,
                    "optimizer": "sgd",
                    "schedule": schedule,
                    "steps": 1000,
                    "noise": "none",
                    "params": "{}",
                    "lr": lr,
                    "start": index,
                    "split": split,
                    "success_basin": i < successes,
                    "final_in_global_basin": i < final,
                    "success_target": i < successes,
                    "start_in_global_basin": False,  # no start in the global basin: escape gain is a bound
                    "diverged": False,
                    "f_final": 0.0 if i < successes else 1.0,
                    "freeze_step": 10 * i,
                    "oscillation": 0.01 * i,
                    "hit_1e-01": hit[i],
                    "hit_1e-03": -1,
                }
            )
    return pd.DataFrame(rows).astype({"final_in_global_basin": "boolean", "start_in_global_basin": "boolean"})


@pytest.fixture(scope="module")
def results() -> pd.DataFrame:
    return pd.concat(
        [
            cell("constant", 1, 2, [200] + [-1] * (N - 1)),  # R1 shape: one hit at 200, the rest miss
            cell("linear", 12, 15, [50] * 12 + [-1] * (N - 12)),
            cell("cosine", 12, 12, [80] * 12 + [-1] * (N - 12)),
        ]
    )


@pytest.fixture(scope="module")
def summary(results) -> pd.DataFrame:
    return summarize(results, resamples=100)


ORDER = ["constant", "linear", "cosine"]


def test_success_table_bolds_every_best_rate(summary):
    table = tables.success_table(summary, ORDER, ["sgd"]).set_index("schedule")
    column = "sgd: success % [95% CI]"
    assert table.loc["linear", column].startswith("**60.0 [") and table.loc["cosine", column].startswith("**60.0 [")
    assert not table.loc["constant", column].startswith("**")


def test_ert_table_is_coco_and_marks_best_so_far(summary):
    table = tables.ert_table(summary, ORDER, ["sgd"]).set_index("schedule")
    easy, hard = "ERT to f - f* <= 0.1", "ERT to f - f* <= 0.001"
    assert table.loc["constant", easy] == f"{200 + 19 * 1000:.3g} (1/{N})"
    linear = (12 * 50 + 8 * 1000) / 12
    assert table.loc["linear", easy] == f"**{linear:.3g}** ({12}/{N})"
    assert table.loc["constant", hard] == f"∞ (0/{N})"


def test_details_table_shows_bounds_tuning_and_robustness(summary):
    details = tables.details_table(summary, ORDER, ["sgd"]).set_index("schedule")
    assert details.loc["linear", "escape gain [95% CI]"].startswith("≥ ")
    assert details.loc["linear", "escape gain [95% CI]"].endswith("(bound)")
    assert details.loc["linear", "tune %"] == "60.0" == details.loc["linear", "test %"]
    assert details.loc["linear", "settling % [95% CI]"].startswith("80.0 [")
    assert details.loc["linear", "robust %"] == "100.0"  # a grid of one lr


def test_ranking_table(summary):
    ranking = tables.ranking_table(summary, ORDER, ["sgd"]).set_index("schedule")
    assert ranking.loc["linear", "sgd: mean rank (tables)"] == "**1.50** (1)"
    assert ranking.loc["constant", "sgd: mean rank (tables)"] == "3.00 (1)"
    assert ranking.loc["cosine", "sgd: ranked first"] == "1"


def _latex_tables(results, summary) -> dict[str, str]:
    overall = overall_against_constant(results, summary)
    built = {
        "success": tables.success_table(summary, ORDER, ["sgd"]),
        "details": tables.details_table(summary, ORDER, ["sgd"]),
        "ert": tables.ert_table(summary, ORDER, ["sgd"]),
        "ranking": tables.ranking_table(summary, ORDER, ["sgd"]),
        "headline": tables.headline_table(summary, ORDER, ["sgd"], overall),
    }
    caption = "Rates in % [95% CI] & marks: p < 0.05, ↑/↓, † edge, ≥ bound, ∞, f - f* <= 1e-3_x"
    return {name: tables.to_latex(table, caption, label=name) for name, table in built.items()}


def test_latex_is_booktabs_from_styler(results, summary):
    for name, tex in _latex_tables(results, summary).items():
        assert "\\toprule" in tex and "\\midrule" in tex and "\\bottomrule" in tex, name
        assert "\\label{tab:" + name + "}" in tex and "\\caption{" in tex
        assert all(ord(char) < 128 for char in tex), name  # every mark mapped: pdflatex needs no unicode setup
    assert "\\textbf{" in _latex_tables(results, summary)["success"]


def test_latex_tables_compile_with_pdflatex(results, summary, tmp_path):
    pdflatex = shutil.which("pdflatex")
    if pdflatex is None:
        if os.environ.get("CI"):
            pytest.fail("pdflatex is missing under CI; .ci/run installs texlive-latex-base and -recommended")
        pytest.skip("pdflatex not installed (CI installs it and fails instead of skipping)")
    inputs = []
    for name, tex in _latex_tables(results, summary).items():
        (tmp_path / f"{name}.tex").write_text(tex)
        inputs.append(f"\\input{{{name}.tex}}")
    document = "\n".join(
        ["\\documentclass{article}", "\\usepackage{booktabs}", "\\begin{document}", *inputs, "\\end{document}", ""]
    )
    (tmp_path / "doc.tex").write_text(document)
    done = subprocess.run(
        [pdflatex, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert (tmp_path / "doc.pdf").stat().st_size > 1000
    assert not np.any(["Undefined control sequence" in line for line in done.stdout.splitlines()])
