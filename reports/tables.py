"""Tables: pure functions summary -> DataFrame of formatted cells, and writers to Markdown and
LaTeX (booktabs). Marks: ``↑``/``↓`` = better/worse than constant lr (exact McNemar, Holm-adjusted
p < 0.05); ``†`` = the best lr lies at the edge of the grid and the rate still rises there (widen the grid)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .summary import BASELINE_SCHEDULE, REFERENCE_SCHEDULE, significant

BASELINE_ROW = "start basin (baseline)"
MARKS = {1: " ↑", -1: " ↓", 0: ""}
LATEX_MARKS = {"↑": r"$\uparrow$", "↓": r"$\downarrow$", "†": r"$^\dagger$"}


def percent(rate: float) -> str:
    """A rate in percent; "n/a" where it is not available (basins of a function without them)."""
    return f"{100.0 * rate:.1f}" if np.isfinite(rate) else "n/a"


def rate_with_interval(rate: float, low: float, high: float) -> str:
    return f"{percent(rate)} [{percent(low)}, {percent(high)}]"


def ordered(values, order: list[str]) -> list[str]:
    """values in the given order (unknown ones last, alphabetically)."""
    present = list(dict.fromkeys(values))
    return [v for v in order if v in present] + sorted(v for v in present if v not in order)


def success_table(cells: pd.DataFrame, schedule_order: list[str], optimizer_order: list[str]) -> pd.DataFrame:
    """One (function, dim) table: schedules x optimizers, success % with Wilson 95% interval and lr*."""
    marks = significant(cells)
    schedules = ordered(cells["schedule"], schedule_order)
    optimizers = ordered(cells["optimizer"], optimizer_order)
    table = pd.DataFrame(index=pd.Index(schedules + [BASELINE_ROW], name="schedule"))
    for optimizer in optimizers:
        rate_column, lr_column = f"{optimizer}: success % [95% CI]", f"{optimizer}: lr*"
        table[rate_column], table[lr_column] = "–", "–"
        mine = cells[cells["optimizer"] == optimizer]
        for index, row in mine.iterrows():
            mark = MARKS[int(marks.loc[index])]
            table.loc[row["schedule"], rate_column] = (
                rate_with_interval(row["success_rate"], row["ci_low"], row["ci_high"]) + mark
            )
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


def headline_table(summary: pd.DataFrame, schedule_order: list[str], optimizer_order: list[str]) -> pd.DataFrame:
    """Schedules x optimizers: mean success % over the success tables, and how many of them the
    schedule wins / loses against constant lr (Holm-adjusted, within each table). Where the rows
    average over different numbers of tables, each mean says over how many, in brackets."""
    summary = summary.assign(mark=significant(summary))
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
        table[rate_column] = [
            (percent(mean_rate[s]) + (f" ({count[s]})" if counts_differ else "")) if s in mean_rate else "–"
            for s in schedules
        ] + [_mean_baseline(mine)]
        table[record_column] = [
            ("–" if s in (BASELINE_SCHEDULE, REFERENCE_SCHEDULE) else f"{wins[s]}/{losses[s]}") if s in wins else "–"
            for s in schedules
        ] + [""]
    return table.reset_index()


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
    """Plain text -> LaTeX text mode, marks and dashes included."""
    text = "".join(_LATEX_SPECIAL.get(char, char) for char in text)
    for mark, latex in LATEX_MARKS.items():
        text = text.replace(mark, latex)
    return text.replace("–", "--")


def to_latex(table: pd.DataFrame, caption: str, label: str) -> str:
    """A booktabs table scaled to the line width (needs booktabs and graphicx)."""
    styler = table.style.hide(axis="index").format(latex_escape).format_index(latex_escape, axis=1)
    tabular = styler.to_latex(hrules=True, column_format="l" + "r" * (table.shape[1] - 1))
    return "\n".join(
        [
            "% needs \\usepackage{booktabs} and \\usepackage{graphicx}",
            "\\begin{table}[htbp]",
            "\\centering",
            f"\\caption{{{latex_escape(caption)}}}",
            f"\\label{{tab:{label}}}",
            "\\resizebox{\\linewidth}{!}{%",
            tabular.rstrip("\n"),
            "}",
            "\\end{table}",
            "",
        ]
    )


def write(table: pd.DataFrame, directory: Path, stem: str, caption: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{stem}.md").write_text(f"{caption}\n\n{to_markdown(table)}\n")
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
