"""Tables: pure functions summary -> DataFrame of formatted cells, and writers to Markdown, CSV
and LaTeX (booktabs, through ``pandas.io.formats.style.Styler.to_latex``). Marks: ``↑``/``↓`` =
better/worse than constant lr (exact McNemar, Holm-adjusted p < 0.05); ``†`` = the best lr lies at
the edge of the grid and the rate still rises there (widen the grid); ``≥`` = a lower bound (no
start met the ratio's denominator). A cell written ``**x**`` is the best of its column: bold in
every format."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from .summary import BASELINE_SCHEDULE, REFERENCE_SCHEDULE, TABLE, significant

BASELINE_ROW = "start basin (baseline)"
MARKS = {1: " ↑", -1: " ↓", 0: ""}
LATEX_MARKS = {
    "↑": r"$\uparrow$",
    "↓": r"$\downarrow$",
    "†": r"$^\dagger$",
    "≥": r"\ensuremath{\geq}",
    "∞": r"\ensuremath{\infty}",
    "±": r"\ensuremath{\pm}",
    "–": "--",
}
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def percent(rate: float) -> str:
    """A rate in percent; "n/a" where it is not available (basins of a function without them)."""
    return f"{100.0 * rate:.1f}" if np.isfinite(rate) else "n/a"


def rate_with_interval(rate: float, low: float, high: float) -> str:
    return f"{percent(rate)} [{percent(low)}, {percent(high)}]"


def bold(text: str) -> str:
    return f"**{text}**"


def number(value: float) -> str:
    """A ratio or a step count in 3 significant digits; ∞ for inf; n/a for NaN."""
    if np.isnan(value):
        return "n/a"
    return "∞" if np.isinf(value) else f"{value:.3g}"


def ratio_with_interval(value: float, low: float, high: float, is_bound: bool) -> str:
    """A ratio with its bootstrap interval, or a marked lower bound (no interval)."""
    if np.isnan(value):
        return "n/a"
    if is_bound:
        return f"≥ {number(value)} (bound)"
    return f"{number(value)} [{number(low)}, {number(high)}]"


def ordered(values, order: list[str]) -> list[str]:
    """values in the given order (unknown ones last, alphabetically)."""
    present = list(dict.fromkeys(values))
    return [v for v in order if v in present] + sorted(v for v in present if v not in order)


def success_table(cells: pd.DataFrame, schedule_order: list[str], optimizer_order: list[str]) -> pd.DataFrame:
    """One (function, dim) table: schedules x optimizers, success % with Wilson 95% interval and lr*;
    the highest rate of each optimizer in bold (all of them when tied)."""
    marks = significant(cells)
    schedules = ordered(cells["schedule"], schedule_order)
    optimizers = ordered(cells["optimizer"], optimizer_order)
    table = pd.DataFrame(index=pd.Index(schedules + [BASELINE_ROW], name="schedule"))
    for optimizer in optimizers:
        rate_column, lr_column = f"{optimizer}: success % [95% CI]", f"{optimizer}: lr*"
        table[rate_column], table[lr_column] = "–", "–"
        mine = cells[cells["optimizer"] == optimizer]
        best = mine["success_rate"].max()
        for index, row in mine.iterrows():
            mark = MARKS[int(marks.loc[index])]
            text = rate_with_interval(row["success_rate"], row["ci_low"], row["ci_high"])
            table.loc[row["schedule"], rate_column] = (bold(text) if row["success_rate"] == best else text) + mark
            reference = row["schedule"] == REFERENCE_SCHEDULE  # no lr to tune
            tuned = (
                f" ({row['params_tuned']})" if isinstance(row.get("params_tuned"), str) and row["params_tuned"] else ""
            )
            table.loc[row["schedule"], lr_column] = (
                "" if reference else f"{row['lr_best']:.2g}" + (" †" if row["lr_at_edge"] else "") + tuned
            )
        if not mine.empty:
            table.loc[BASELINE_ROW, rate_column] = percent(mine["baseline_rate"].iloc[0])
            table.loc[BASELINE_ROW, lr_column] = ""
    return table.reset_index()


def table_counts_differ(summary: pd.DataFrame) -> bool:
    """Whether the headline's rows average over different numbers of success tables."""
    return summary.groupby(["optimizer", "schedule"]).size().nunique() > 1


def headline_table(
    summary: pd.DataFrame,
    schedule_order: list[str],
    optimizer_order: list[str],
    overall: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Schedules x optimizers: mean success % over the success tables (best in bold), how many of
    them the schedule wins / loses against constant lr (Holm-adjusted, within each table), and,
    given ``overall`` (:func:`reports.summary.overall_against_constant`), the pooled difference
    from constant lr with Newcombe's paired interval and its mark (Holm across this table). Where
    the rows average over different numbers of tables, each mean says over how many, in brackets."""
    summary = summary.assign(mark=significant(summary))
    pooled = (
        None
        if overall is None
        else overall.assign(mark=significant(overall, "overall")).set_index(["optimizer", "schedule"])
    )
    counts_differ = table_counts_differ(summary)
    schedules = ordered(summary["schedule"], schedule_order)
    optimizers = ordered(summary["optimizer"], optimizer_order)
    table = pd.DataFrame(index=pd.Index(schedules + [BASELINE_ROW], name="schedule"))
    for optimizer in optimizers:
        mine = summary[summary["optimizer"] == optimizer]
        mean_rate = mine.groupby("schedule")["success_rate"].mean()
        wins = mine.groupby("schedule")["mark"].agg(lambda m: int(np.sum(m > 0)))
        losses = mine.groupby("schedule")["mark"].agg(lambda m: int(np.sum(m < 0)))
        rate_column, record_column = f"{optimizer}: mean success %", f"{optimizer}: W/L vs constant"
        count = mine.groupby("schedule").size()
        best = mean_rate.max() if len(mean_rate) else np.nan
        table[rate_column] = [
            (
                (bold(percent(mean_rate[s])) if mean_rate[s] == best else percent(mean_rate[s]))
                + (f" ({count[s]})" if counts_differ else "")
            )
            if s in mean_rate
            else "–"
            for s in schedules
        ] + [_mean_baseline(mine)]
        table[record_column] = [
            ("–" if s in (BASELINE_SCHEDULE, REFERENCE_SCHEDULE) else f"{wins[s]}/{losses[s]}") if s in wins else "–"
            for s in schedules
        ] + [""]
        if pooled is not None:
            table[f"{optimizer}: pooled diff vs constant [95% CI]"] = [
                _pooled(pooled, optimizer, s) for s in schedules
            ] + [""]
    return table.reset_index()


def _pooled(pooled: pd.DataFrame, optimizer: str, schedule: str) -> str:
    if (optimizer, schedule) not in pooled.index:
        return "–"
    row = pooled.loc[(optimizer, schedule)]
    return (
        f"{100 * row['overall_diff']:+.1f} [{100 * row['overall_diff_low']:+.1f}, {100 * row['overall_diff_high']:+.1f}]"
        + MARKS[int(row["mark"])]
    )


def _mean_baseline(mine: pd.DataFrame) -> str:
    """Mean start-basin rate over the tables; functions without basins (n/a) are left out, and
    then the mean says over how many of the tables it is."""
    rates = mine.drop_duplicates(["function", "dim", "instance"])["baseline_rate"]
    known = rates.dropna()
    if known.empty:
        return "n/a" if len(rates) else "–"
    text = percent(known.mean())
    return text if len(known) == len(rates) else f"{text} ({len(known)} of {len(rates)} tables; n/a for the rest)"


def to_markdown(table: pd.DataFrame) -> str:
    return table.to_markdown(tablefmt="github", index=False)


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"$<$",
    ">": r"$>$",
}


def latex_escape(text: str) -> str:
    """Plain text -> LaTeX text mode: special characters, marks, dashes and ``**bold**``."""
    text = "".join(_LATEX_SPECIAL.get(char, char) for char in text)
    for mark, latex in LATEX_MARKS.items():
        text = text.replace(mark, latex)
    return _BOLD.sub(r"\\textbf{\1}", text)


def to_latex(table: pd.DataFrame, caption: str, label: str) -> str:
    """A floating booktabs table (``Styler.to_latex(hrules=True)``), small type; needs
    ``\\usepackage{booktabs}``."""
    styler = (
        table.style.hide(axis="index")
        .format(latex_escape)
        .format_index(latex_escape, axis=1)
        .set_table_styles([{"selector": "small", "props": ":;"}], overwrite=True)
    )
    body = styler.to_latex(
        hrules=True,
        column_format="l" + "r" * (table.shape[1] - 1),
        environment="table",
        position="htbp",
        position_float="centering",
        caption=latex_escape(caption),
        label=f"tab:{label}",
    )
    return "% needs \\usepackage{booktabs}\n" + body


def write(table: pd.DataFrame, directory: Path, stem: str, caption: str) -> None:
    """``stem``.md (caption and Markdown), ``stem``.csv (the cells, bold marks removed) and
    ``stem``.tex (LaTeX booktabs)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{stem}.md").write_text(f"{caption}\n\n{to_markdown(table)}\n")
    plain = table.map(lambda cell: _BOLD.sub(r"\1", cell) if isinstance(cell, str) else cell)
    plain.to_csv(directory / f"{stem}.csv", index=False)
    (directory / f"{stem}.tex").write_text(to_latex(table, caption, label=stem.replace("_", "-")))


def noise_table(cells: pd.DataFrame, schedule_order: list[str]) -> pd.DataFrame:
    """One (function, dim, optimizer): schedules x noise settings, success % [95% CI], with
    ``↑``/``↓`` against constant lr without noise (exact McNemar, Holm within the table)."""
    marks = significant(cells, "vs_plain")
    schedules = ordered(cells["schedule"], schedule_order)
    noises = ["none", *sorted(n for n in cells["noise"].unique() if n != "none")]
    table = pd.DataFrame(index=pd.Index(schedules, name="schedule"))
    for noise in noises:
        column = f"noise {noise}"
        table[column] = "–"
        for index, row in cells[cells["noise"] == noise].iterrows():
            table.loc[row["schedule"], column] = (
                rate_with_interval(row["success_rate"], row["ci_low"], row["ci_high"]) + MARKS[int(marks.loc[index])]
            )
    return table.reset_index()


def ert_table(cells: pd.DataFrame, schedule_order: list[str], optimizer_order: list[str]) -> pd.DataFrame:
    """COCO-style ERT table of one success table: a row per (optimizer, schedule), a column per
    target t (from the easiest), each ``ERT (starts that met t / n)``, ERT in steps (∞ when no start
    met t); the smallest finite ERT per optimizer and target in bold. Best-so-far figures: a start
    counts when its best value so far met t, whatever its final iterate did."""
    targets = [c.removeprefix("ert_") for c in cells.columns if c.startswith("ert_")]
    targets = sorted(targets, key=lambda t: -float(t))
    rows = []
    for optimizer in ordered(cells["optimizer"], optimizer_order):
        mine = cells[cells["optimizer"] == optimizer]
        best = {t: mine[f"ert_{t}"].replace(np.inf, np.nan).min() for t in targets}
        for schedule in ordered(mine["schedule"], schedule_order):
            row = mine[mine["schedule"] == schedule].iloc[0]
            record = {"optimizer": optimizer, "schedule": schedule}
            for t in targets:
                value = float(row[f"ert_{t}"])
                text = number(value)
                record[f"ERT to f - f* <= {float(t):g}"] = (
                    bold(text) if np.isfinite(value) and value == best[t] else text
                ) + f" ({int(row[f'hits_{t}'])}/{int(row['n'])})"
            record["success_basin %"] = percent(row["success_rate"])
            rows.append(record)
    return pd.DataFrame(rows)


def ranking_table(summary: pd.DataFrame, schedule_order: list[str], optimizer_order: list[str]) -> pd.DataFrame:
    """Schedules x optimizers: the mean rank over the success tables (1 = highest success rate in
    the table among that optimizer's schedules, ties averaged; lowest mean in bold), and in how many
    tables the schedule ranks first (alone or tied)."""
    ranked = summary[summary["schedule"] != REFERENCE_SCHEDULE]
    top = ranked.groupby([*TABLE, "optimizer"], observed=True)["success_rate"].transform("max")
    ranked = ranked.assign(first=ranked["success_rate"] == top)
    table = pd.DataFrame(index=pd.Index(ordered(ranked["schedule"], schedule_order), name="schedule"))
    for optimizer in ordered(ranked["optimizer"], optimizer_order):
        mine = ranked[ranked["optimizer"] == optimizer].groupby("schedule")
        mean, count = mine["rank"].mean(), mine.size()
        first = mine["first"].sum()
        best = mean.min()
        table[f"{optimizer}: mean rank (tables)"] = [
            ((bold(f"{mean[s]:.2f}") if mean[s] == best else f"{mean[s]:.2f}") + f" ({count[s]})") if s in mean else "–"
            for s in table.index
        ]
        table[f"{optimizer}: ranked first"] = [str(int(first[s])) if s in first else "–" for s in table.index]
    return table.reset_index()


def details_table(cells: pd.DataFrame, schedule_order: list[str], optimizer_order: list[str]) -> pd.DataFrame:
    """One success table in long form, a row per (optimizer, schedule) at its tuned lr: tuning
    (tune-half rate beside the test-half rate, robustness of the lr grid), claim 1 (start basin,
    final iterate in the global valley, escape gain), claim 2 (settling rate, success_target,
    median final f - f*), claim 3 (median oscillation), and the median freeze step."""
    rows = []
    for optimizer in ordered(cells["optimizer"], optimizer_order):
        mine = cells[cells["optimizer"] == optimizer]
        for schedule in ordered(mine["schedule"], schedule_order):
            row = mine[mine["schedule"] == schedule].iloc[0]
            reference = schedule == REFERENCE_SCHEDULE
            rows.append(
                {
                    "optimizer": optimizer,
                    "schedule": schedule,
                    "tune %": percent(row["tune_rate"]),
                    "test %": percent(row["success_rate"]),
                    "robust %": "" if reference else percent(row.get("robustness", np.nan)),
                    "start basin %": percent(row["baseline_rate"]),
                    "final in global %": percent(row["final_in_global_rate"]),
                    "escape gain [95% CI]": ratio_with_interval(
                        row["escape_gain"], row["escape_gain_low"], row["escape_gain_high"], row["escape_gain_is_bound"]
                    ),
                    "settling % [95% CI]": _settling(row),
                    "target %": percent(row["target_rate"]),
                    "median f - f*": f"{row['median_f_gap']:.2g}" if "median_f_gap" in row else "n/a",
                    "median oscillation": f"{row['median_oscillation']:.2g}",
                    "median freeze step": f"{row['median_freeze_step']:.0f}",
                }
            )
    return pd.DataFrame(rows)


def _settling(row: pd.Series) -> str:
    if np.isnan(row["settling_rate"]):
        return "n/a"
    if row["settling_rate_is_bound"]:
        return f"≥ {percent(row['settling_rate'])} (bound)"
    return rate_with_interval(row["settling_rate"], row["settling_rate_low"], row["settling_rate_high"])
