"""Build everything after the results from ``results.parquet`` and ``run.json`` alone:
summary.csv, tables/*.md and *.tex, figures/*.pdf and *.png, report.md and report.html."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pandas as pd

import functions
import schedules
from bench import engine
from bench.plan import facts_key

from . import claim_figures, figures, tables, verdict
from ._load import read_info, read_points, read_results, with_gap
from .measures import hit_columns, target_of, varies
from .page import Section, render_html, render_markdown
from .saving import FigureWriter
from .stats import RESAMPLES, runtime_ecdf
from .summary import (
    ANNEALING,
    BASELINE_SCHEDULE,
    REFERENCE_SCHEDULE,
    TABLE,
    against_noise_free_constant,
    at_best,
    overall_against_constant,
    rate_curves,
    summarize,
)

BASIN_MAP_DECAYS = ("linear", "cosine")


@dataclasses.dataclass(frozen=True)
class Built:
    headline: str
    summary_csv: Path
    report_md: Path
    report_html: Path


def build(run_dir: str | Path, figure_workers: int | None = 0) -> Built:
    """Everything after the results, from ``results.parquet`` and ``run.json`` alone.

    ``figure_workers``: processes that draw the figures while the report goes on (``None``: one
    per core; the CLI's choice). The default 0 draws them here: worker processes start by importing
    the caller's main module, which a script without an ``if __name__ == "__main__":`` guard would
    run again."""
    run_dir = Path(run_dir)
    info = read_info(run_dir)
    with FigureWriter(run_dir / "figures", figure_workers) as figure_dir:
        figure_dir.start()  # the workers start (and import) while the results are read and summarised
        results = with_gap(read_results(run_dir), info)
        summary = summarize(results)
        summary_csv = run_dir / "summary.csv"
        summary.to_csv(summary_csv, index=False, float_format="%.6g")
        return _build(run_dir, info, results, summary, summary_csv, figure_dir)


def _build(
    run_dir: Path,
    info: dict,
    results: pd.DataFrame,
    summary: pd.DataFrame,
    summary_csv: Path,
    figure_dir: FigureWriter,
) -> Built:
    config = info["config"]
    schedule_order = _config_order(config, "schedules") + [REFERENCE_SCHEDULE]
    optimizer_order = _config_order(config, "optimizers")
    table_dir = run_dir / "tables"

    best_rows = at_best(results, summary)  # the test starts of every cell at its tuned lr
    overall = overall_against_constant(results, summary, best_rows)
    headline = tables.headline_table(summary, schedule_order, optimizer_order, overall)
    counts_differ = tables.table_counts_differ(summary)
    headline_caption = (
        f"Mean success_basin % over the {summary.groupby(TABLE, observed=True).ngroups} success tables "
        f"(one per {_table_unit(summary)}) at each schedule's tuned lr (test starts"
        + ("; in brackets: over how many tables, as rows differ" if counts_differ else "")
        + "; best in bold), in how many tables it beats / loses to constant lr (exact McNemar, Holm-adjusted "
        "p < 0.05 within each table), and the difference from constant lr in percentage points over all "
        "(table, test start) pairs pooled, with Newcombe's paired 95% interval (↑/↓: exact McNemar, Holm "
        "across this table)"
    )
    tables.write(headline, table_dir, "headline", headline_caption)
    ranking = tables.ranking_table(summary, schedule_order, optimizer_order)
    ranking_caption = (
        "Ranks of the schedules within each success table and optimizer by success_basin rate "
        "(1 = highest, ties averaged; lowest mean rank in bold), over how many tables (in brackets), and "
        "in how many tables each ranks first (ties included)"
    )
    tables.write(ranking, table_dir, "ranking", ranking_caption)

    overview = Section("Headline", [_run_line(info)], [(headline_caption, headline), (ranking_caption, ranking)])
    heatmap = figures.success_heatmap(summary, schedule_order, optimizer_order, lambda row: _label(row, summary))
    figure_dir.save(heatmap, "success_heatmap")
    overview.figures.append(
        ("success_basin % at the tuned lr, per schedule and function", "figures/success_heatmap.png")
    )
    shapes = figures.schedule_shapes(
        [s for s in schedule_order if s != REFERENCE_SCHEDULE], int(config["run"]["steps"])
    )
    figure_dir.save(shapes, "schedule_shapes")
    overview.figures.append(
        ("the schedule families compared, lr / peak against the step", "figures/schedule_shapes.png")
    )

    sections = [
        _verdict_section(results, summary, table_dir),
        overview,
        _reading_guide(info),
        _divergence_section(results, summary),
    ]
    annealing = _annealing_section(results, summary, schedule_order, table_dir)
    if annealing is not None:
        sections.append(annealing)
    basin = _basin_map_section(run_dir, summary, info, figure_dir)
    if basin is not None:
        sections.append(basin)

    sections.extend(_runtime_sections(best_rows, summary, info, optimizer_order, schedule_order, figure_dir))

    curves = rate_curves(results)
    for keys, cells in summary.groupby(TABLE, observed=True, sort=False):
        key = dict(zip(TABLE, keys))
        stem = _stem(key, summary)
        facts = info["objectives"].get(facts_key(key["function"], int(key["dim"]), int(key["instance"])), {})
        caption = (
            f"{key['function']} {key['dim']}-D: success_basin % [Wilson 95% CI] on the test starts at the "
            f"lr tuned on the tune starts (lr*, with the tuned schedule parameters in brackets where the config gives a "
            f"grid); ↑/↓ vs constant lr (Holm); † lr* at the grid edge, rate still rising"
        )
        table = tables.success_table(cells, schedule_order, optimizer_order)
        tables.write(table, table_dir, f"success_{stem}", caption)
        details_caption = (
            f"{key['function']} {key['dim']}-D in detail, each row at its tuned lr: tune-half beside test-half "
            "success_basin %; robust %: share of the lr grid within 10% (relative) of the best test rate; "
            "escape gain = final-in-global rate / start-basin rate and settling % = success_basin / "
            "final-in-global, with paired-bootstrap 95% intervals (≥: a lower bound, no start met the "
            "denominator); target %: success_target; medians over the test starts"
        )
        details = tables.details_table(cells, schedule_order, optimizer_order)
        tables.write(details, table_dir, f"details_{stem}", details_caption)
        ert_caption = (
            f"{key['function']} {key['dim']}-D: ERT in steps to each target (COCO: steps of all test starts, "
            "the budget for those that missed, / starts that met it; ∞: none did), best in bold, with the starts "
            "that met it. Best-so-far figures: a start counts once its best value met the target, even if its "
            "final iterate left again, so a constant lr can have a finite ERT and 0% success_basin"
        )
        ert = tables.ert_table(cells, schedule_order, optimizer_order)
        tables.write(ert, table_dir, f"ert_{stem}", ert_caption)
        mine = curves[np.all([curves[c] == v for c, v in key.items()], axis=0)]
        figure_dir.build(
            f"success_vs_lr_{stem}",
            figures.success_vs_lr,
            mine,
            cells,
            schedule_order,
            optimizer_order,
            facts.get("stability_lr"),
        )
        mine_rows = best_rows[np.all([best_rows[c] == v for c, v in key.items()], axis=0)]
        claim_plots = _table_figures(mine_rows, cells, key, facts, stem, optimizer_order, schedule_order, figure_dir)
        sections.append(
            Section(
                f"{key['function']}, d = {key['dim']}" + _suffix(key, summary),
                [_facts_line(facts, int(cells["n"].iloc[0]))],
                [(caption, table), (details_caption, details), (ert_caption, ert)],
                [
                    (
                        f"{key['function']} {key['dim']}-D: success vs peak lr (stars: lr*; thick black: constant lr; "
                        "dashed grey: start-basin baseline; dotted: 2/L, above which plain GD cannot settle)",
                        f"figures/success_vs_lr_{stem}.png",
                    ),
                    *claim_plots,
                ],
            )
        )

    title = f"Does learning-rate decay find the global minimum? Run '{config['run']['name']}'"
    report_md = run_dir / "report.md"
    report_html = run_dir / "report.html"
    report_md.write_text(render_markdown(title, sections))
    report_html.write_text(render_html(title, sections))
    return Built(
        headline=f"{headline_caption}:\n\n{tables.to_markdown(headline)}",
        summary_csv=summary_csv,
        report_md=report_md,
        report_html=report_html,
    )


def _config_order(config: dict, key: str) -> list[str]:
    return list(dict.fromkeys(name for suite in config["suite"] for name in suite[key]))


# What a run may vary beyond (function, dim), each with its prefix in names and its name in prose.
_VARIED = (("instance", "i", "instance"), ("steps", "T", "budget"), ("noise", "", "noise setting"))


def _varied(summary: pd.DataFrame, columns=("instance", "steps", "noise")) -> list[tuple[str, str, str]]:
    """Those of ``columns`` that the run gives more than one value: they then appear in names."""
    return [entry for entry in _VARIED if entry[0] in columns and summary[entry[0]].nunique() > 1]


def _table_unit(summary: pd.DataFrame) -> str:
    """What one success table is: 'function and dim', plus whatever else the run varies."""
    parts = ["function", "dim"] + [name for _, _, name in _varied(summary)]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _suffix(key: dict, summary: pd.DataFrame) -> str:
    """Instance, budget and noise appear in names only when the run has more than one of them."""
    parts = [f"{'noise-' if column == 'noise' else prefix}{key[column]}" for column, prefix, _ in _varied(summary)]
    return (" (" + ", ".join(parts) + ")") if parts else ""


def _label(row, summary: pd.DataFrame) -> str:
    """A heatmap column: function and dim, and the instance, budget and noise where the run varies them."""
    return f"{row.function} {row.dim}-D" + "".join(
        f" {prefix}{getattr(row, column)}" for column, prefix, _ in _varied(summary)
    )


def _stem(key: dict, summary: pd.DataFrame) -> str:
    return f"{key['function']}_d{key['dim']}" + "".join(
        f"_{prefix}{key[column]}" for column, prefix, _ in _varied(summary)
    )


def _run_line(info: dict) -> str:
    run = info["config"]["run"]
    devices = info.get("devices", [])
    return (
        f"{run['starts']} starts per cell (even: tune, odd: test), {run['steps']} steps, {run['dtype']}, "
        f"seed {run['seed']}; wall time {info.get('wall_time_s', '?')} s on {len(devices)} device(s); "
        f"git commit `{info.get('git_commit') or 'unknown'}`; JAX {info.get('versions', {}).get('jax')}."
    )


def _reading_guide(info: dict) -> Section:
    dtype = info["config"]["run"]["dtype"]
    return Section(
        "How to read this report",
        [
            "`success_basin` (the headline): the *final* iterate has settled in the global basin, "
            "f_final - f* <= the function's basin target, which lies below the gap to the best "
            "non-global local minimum. An iterate still bouncing does not count, however good its "
            "best-so-far value.",
            "`start basin (baseline)`: the share of starts whose own basin (found by a monotone, "
            "step-capped descent from the start) is already the global one. A schedule that only "
            "descends locally reaches about this rate; the popular story says decay does better.",
            "Each schedule's peak lr is chosen on the even (tune) starts and reported on the odd "
            "(test) starts, so rates are not inflated by the choice. Comparisons against constant lr "
            "are paired on the same test starts (exact McNemar test, Holm-corrected within each table).",
            "`summary.csv` also holds `final_in_global_rate` (the final iterate lies in the global "
            "valley, settled or not) and `escape_gain` = that rate / the baseline rate: escaping and "
            "settling are measured apart. The settling rate is success_basin / final-in-global; where a "
            "denominator count is 0 the ratio is reported as a marked lower bound (`>= x (bound)`).",
            "The verdict above answers the three claims of the decay story per case (table x optimiser): "
            "*supported* or *contradicted* only where 95% intervals are disjoint, else *inconclusive*. The "
            "best decay is chosen on the tune starts and judged on the test starts.",
            "ERT and runtime ECDFs count best-so-far hitting times (as COCO): a start counts once its best "
            "value met the target, even if its final iterate left again. Ranks: 1 is the highest "
            "success_basin rate, ties averaged.",
            f"This run is in {dtype}. float32 resolves f - f* only to about 1e-6 times the size of the "
            "summed terms near the optimum (Ackley(0) evaluates to about +-1e-6), so `success_target` "
            "uses 1e-3 in float32 (raised to each function's floor) and 1e-8 only in float64.",
        ],
    )


def _facts_line(facts: dict, n: int) -> str:
    if not facts:
        return f"{n} test starts per cell."
    target = facts.get("basin_target")
    if not facts.get("has_basins", True):
        basin = "no defensible basin target (basins not available), so success_basin = success_target"
    elif target is not None:
        basin = f"basin target f - f* <= {target:g}"
    else:
        basin = "every local minimum is global, so success_basin = success_target"
    return (
        f"f* = {facts['f_opt']:.10g}; {basin}; success_target f - f* <= {facts['success_target']:.2g} "
        f"(float floor {facts['resolution_floor']:.1g}); plain-GD stability limit 2/L = "
        f"{facts['stability_lr']:.3g}; {n} test starts per cell. {facts['reference']}."
    )


def _divergence_section(results: pd.DataFrame, summary: pd.DataFrame) -> Section:
    """How many starts diverged: at the tuned lr per cell, and over the whole grid."""
    total, diverged = len(results), int(results["diverged"].sum())
    section = Section(
        "Diverged starts",
        [
            f"{diverged:,} of {total:,} runs ({100.0 * diverged / total:.2f}%) diverged over the whole lr grid: "
            "the iterate or its gradient became non-finite, or the iterate left the box by more than 10 box "
            "widths. A diverged start counts as a failure in every rate; none is dropped."
        ],
    )
    at_best = summary[summary["diverged"] > 0]
    if at_best.empty:
        section.paragraphs.append("No test start diverged at any cell's tuned learning rate.")
        return section
    table = pd.DataFrame(
        {
            "function": at_best["function"],
            "dim": at_best["dim"],
            "optimizer": at_best["optimizer"],
            "schedule": at_best["schedule"],
            "lr*": at_best["lr_best"].map(lambda v: f"{v:.2g}"),
            "diverged": [
                f"{int(k)} of {int(n)} ({100.0 * k / n:.1f}%)" for k, n in zip(at_best["diverged"], at_best["n"])
            ],
        }
    )
    section.tables.append(("Cells whose tuned lr lets some test starts diverge", table))
    return section


def _annealing_section(
    results: pd.DataFrame, summary: pd.DataFrame, schedule_order: list[str], table_dir: Path
) -> Section | None:
    """Runs with noise: step-size decay, noise decay and both, side by side, per (function, dim,
    optimizer), each cell tested against constant lr without noise."""
    comparison = against_noise_free_constant(results, summary)
    if comparison.empty:
        return None
    section = Section(
        "Step-size decay against noise annealing",
        [
            "Each row is a schedule (of the step size), each column a noise setting (`<kind>-<schedule of "
            "its scale>-<scale>`): the first column is step-size decay alone, the `constant` row noise decay "
            "alone, the other cells both. ↑/↓: better/worse than constant lr without noise on the same test "
            "starts (exact McNemar, Holm within the table). Each cell at its own tuned lr."
        ],
    )
    for keys, cells in comparison.groupby(ANNEALING, observed=True, sort=True):
        key = dict(zip(ANNEALING, keys))
        stem = f"noise_{key['function']}_d{key['dim']}_{key['optimizer']}" + _suffix_stem(key, summary)
        caption = (
            f"{key['function']} {key['dim']}-D, {key['optimizer']}: success_basin % [Wilson 95% CI] "
            "per step-size schedule and noise setting; ↑/↓ vs constant lr without noise (Holm)"
        )
        table = tables.noise_table(cells, schedule_order)
        tables.write(table, table_dir, stem, caption)
        section.tables.append((caption, table))
    return section


def _suffix_stem(key: dict, summary: pd.DataFrame) -> str:
    return "".join(f"_{prefix}{key[column]}" for column, prefix, _ in _varied(summary, ("instance", "steps")))


def _basin_map_section(run_dir: Path, summary: pd.DataFrame, info: dict, figure_dir: FigureWriter) -> Section | None:
    """For every 2-D function with basins: where each start ends, constant lr against the decays at
    their lr*, over the function's contour plot, with a few trajectories."""
    section = Section(
        "Where the starts end: 2-D basin maps",
        [
            "Each start is drawn where it starts, coloured by the minimum its final iterate lies in (found "
            "by the polish; the global basin first, then the other minima reached by their f - f*, lowest "
            "first), over the contour lines of log10(f - f*), with the global minimisers as stars and four "
            "test starts' trajectories (circle: start, cross: the final iterate; recomputed without noise "
            "by the engine for the figure). With a constant lr below 2/L each start stays in its own basin; "
            "above it the iterate cannot settle anywhere. A decaying lr that starts above 2/L lets iterates "
            "roam the large-scale landscape and then freeze as the lr crosses 2/L: that is annealing."
        ],
    )
    rows = summary[(summary["dim"] == 2) & (summary["schedule"] != REFERENCE_SCHEDULE) & (summary["noise"] == "none")]
    rows = rows[rows["baseline_rate"].notna()]  # functions with basins only
    for (function, instance), mine in rows.groupby(["function", "instance"], observed=True, sort=True):
        optimizer = "sgd" if "sgd" in set(mine["optimizer"]) else sorted(mine["optimizer"])[0]
        mine = mine[mine["optimizer"] == optimizer].sort_values("steps", kind="stable").drop_duplicates("schedule")
        chosen = [s for s in (BASELINE_SCHEDULE, *BASIN_MAP_DECAYS) if s in set(mine["schedule"])]
        if len(chosen) < 3:
            others = mine[~mine["schedule"].isin(chosen)].sort_values("success_rate", ascending=False)
            chosen += list(others["schedule"].head(3 - len(chosen)))
        steps = int(mine["steps"].iloc[0])
        stem = f"basin_map_{function}_d2" + (f"_i{instance}" if summary["instance"].nunique() > 1 else "")
        figure = _basin_map(run_dir, info, function, int(instance), optimizer, steps, mine, chosen)
        figure_dir.save(figure, stem)
        section.figures.append(
            (
                f"{function} 2-D{f', instance {instance}' if instance else ''}, {optimizer}: the minimum each start "
                "ends in (every start drawn; shares over the test starts, as in the tables)",
                f"figures/{stem}.png",
            )
        )
    return section if section.figures else None


def _basin_map(run_dir, info, function, instance, optimizer, steps, cells, chosen):
    objective = functions.problem(function, 2, instance)
    dtype = info["config"]["run"]["dtype"]
    points = read_points(run_dir, function, 2, optimizer, instance, steps, "none", chosen)
    best = cells.set_index("schedule")
    points = points[points["params"] == points["schedule"].map(best["params_best"])]
    points = points.assign(gap_polished=points["f_polished"] - objective.f_opt(2))
    lo, hi = objective.bounds(2)
    grid = np.meshgrid(np.linspace(lo[0], hi[0], 161), np.linspace(lo[1], hi[1], 161))
    delta = np.asarray(objective.delta(jnp.asarray(np.stack(grid, -1), jnp.float64)))
    landscape = (grid[0], grid[1], np.log10(np.maximum(delta, 1e-12)))
    program = engine.Program(
        function, 2, optimizer, steps, dtype, len(info["config"]["run"]["targets"]), "none", instance
    )
    panels, paths = [], {}
    for schedule in chosen:
        lr, params = float(best.loc[schedule, "lr_best"]), json.loads(best.loc[schedule, "params_best"])
        panels.append((schedule, lr))
        mine = points[(points["schedule"] == schedule) & np.isclose(points["lr"], lr)]
        shown = mine[mine["start"] % 2 == 1].sort_values("start").head(4)
        if shown.empty:
            continue
        lrs = np.asarray(schedules.get(schedule)(peak=lr, steps=steps, **params)(np.arange(steps)), np.float64)
        paths[schedule], _ = engine.paths(program, np.stack(shown["x0"].to_numpy()), lrs)
    return figures.basin_map(
        points,
        panels,
        landscape,
        objective.x_opt(2),
        paths,
        (lo, hi),
        f"{function} 2-D{f' (instance {instance})' if instance else ''}, {optimizer}: the minimum each start ends in",
    )


def _table_figures(
    rows: pd.DataFrame,
    cells: pd.DataFrame,
    key: dict,
    facts: dict,
    stem: str,
    optimizer_order: list[str],
    schedule_order: list[str],
    figure_dir: FigureWriter,
) -> list[tuple[str, str]]:
    """Per success table: the final precision, the oscillation and (plain GD) the annealing figure."""
    name = f"{key['function']} {key['dim']}-D"
    out = []
    thresholds = {}
    if facts.get("basin_target") is not None:
        thresholds["basin target"] = float(facts["basin_target"])
    if facts.get("success_target") is not None:
        thresholds["success target"] = float(facts["success_target"])
    plain = rows[rows["schedule"] != REFERENCE_SCHEDULE]
    if "f_gap" in rows and rows["f_gap"].notna().any():
        figure_dir.build(
            f"precision_{stem}",
            claim_figures.precision,
            rows,
            optimizer_order,
            schedule_order,
            thresholds,
            f"{name}: final f - f* at the tuned lr (test starts)",
        )
        out.append(
            (
                f"{name}: share of test starts whose final f - f* is at most x (claim 2: settling precisely); "
                "dashed: basin target, dotted: success target",
                f"figures/precision_{stem}.png",
            )
        )
    if not plain.empty:
        figure_dir.build(
            f"oscillation_{stem}",
            claim_figures.oscillation,
            plain,
            optimizer_order,
            schedule_order,
            f"{name}: oscillation over the last 5% of steps (test starts)",
        )
        out.append(
            (
                f"{name}: oscillation, mean |f_t - f_(t-1)| over the last 5% of steps, per schedule (claim 3)",
                f"figures/oscillation_{stem}.png",
            )
        )
    sgd = cells[(cells["optimizer"] == "sgd") & (cells["schedule"] != REFERENCE_SCHEDULE)]
    if not sgd.empty and facts.get("stability_lr"):
        threshold, steps = float(facts["stability_lr"]), int(key["steps"])
        crossings = {
            row.schedule: claim_figures.threshold_crossing(row.schedule, row.lr_best, row.params_best, steps, threshold)
            for row in sgd.itertuples(index=False)
        }
        figure_dir.build(
            f"freeze_vs_threshold_{stem}",
            claim_figures.freeze_against_threshold,
            rows[rows["optimizer"] == "sgd"],
            crossings,
            schedule_order,
            steps,
            f"{name}, plain GD: where each start freezes (box) and where its lr crosses 2/L = {threshold:.3g} (diamond)",
        )
        out.append(
            (
                f"{name}, plain GD at each schedule's tuned peak lr: freeze_step (the last step the iterate jumped "
                "farther than half the basin scale) over the test starts, against the step after which the "
                "schedule's lr stays below 2/L. Annealing predicts the boxes end near the diamonds",
                f"figures/freeze_vs_threshold_{stem}.png",
            )
        )
    return out


def _runtime_sections(
    rows: pd.DataFrame,
    summary: pd.DataFrame,
    info: dict,
    optimizer_order: list[str],
    schedule_order: list[str],
    figure_dir: FigureWriter,
    resamples: int = RESAMPLES,
) -> list[Section]:
    """Runtime ECDFs per (function group, dim) and success against dimension and budget."""
    config = info["config"]
    steps = int(config["run"]["steps"])
    noise = "none" if "none" in set(rows["noise"]) else rows["noise"].iloc[0]
    hits = hit_columns(rows)
    groups = {
        key: info["objectives"].get(facts_key(*key), {}).get("group", "ungrouped")
        for key in rows[["function", "dim", "instance"]].drop_duplicates().itertuples(index=False)
    }
    rows = rows.assign(group=[groups[k] for k in rows[["function", "dim", "instance"]].itertuples(index=False)])
    section = Section(
        "Runtime ECDFs (best-so-far)",
        [
            "Share of (test start, target) pairs whose best-so-far f - f* met the target within the given number "
            f"of steps, for the targets {', '.join(f'{target_of(h):g}' for h in hits)}, at each schedule's tuned lr, "
            f"pooled over the functions of a group (budget {steps} steps; bands: {resamples} bootstrap resamples of "
            "the starts, 95%). These are best-so-far figures, as COCO's: a constant lr can reach a target on "
            "the way and still end elsewhere, with 0% final-iterate success."
        ],
    )
    chosen = rows[(rows["steps"] == steps) & (rows["noise"] == noise)]
    if len(chosen) < len(rows):
        section.paragraphs.append(
            f"Drawn for the run's budget ({steps} steps) and noise setting {noise!r} only; cells at other "
            "budgets or noise settings are in the ERT tables."
        )
    budgets = np.unique(np.r_[0, np.geomspace(1, steps, 60).astype(int)])
    for (group, dim), part in chosen.groupby(["group", "dim"], observed=True, sort=True):
        curves = {}
        for (optimizer, schedule), cell in part.groupby(["optimizer", "schedule"], observed=True, sort=True):
            problems = [p[hits].to_numpy() for _, p in cell.groupby(["function", "instance"], observed=True)]
            curves[(optimizer, schedule)] = (budgets, *runtime_ecdf(problems, budgets, resamples=resamples))
        functions_in = sorted(part["function"].unique())
        stem = f"ecdf_{_slug(group)}_d{dim}"
        figure_dir.build(
            stem,
            claim_figures.ecdf,
            curves,
            optimizer_order,
            schedule_order,
            f"{group}, {dim}-D ({', '.join(functions_in)}): best-so-far runtime ECDF",
        )
        section.figures.append(
            (f"{group}, {dim}-D: best-so-far runtime ECDF over (start, target) pairs", f"figures/{stem}.png")
        )
    out = [section]
    scaling = Section("Success against dimension and budget", [])
    for column, word in (("dim", "dimension"), ("steps", "budget")):
        data = varies(summary, column)
        others = [c for c in ("function", "dim", "instance", "steps", "noise") if c != column]
        for keys, part in data.groupby(others, observed=True, sort=True):
            key = dict(zip(others, keys))
            stem = f"success_vs_{word}_{key['function']}" + "".join(
                f"_{prefix}{key[c]}" for c, prefix in (("dim", "d"), ("instance", "i"), ("steps", "T")) if c in key
            )
            if summary["noise"].nunique() > 1:  # one figure per noise setting, never overwritten
                stem += f"_{_slug(str(key['noise']))}"
            figure_dir.build(
                stem,
                claim_figures.success_against,
                part,
                column,
                optimizer_order,
                schedule_order,
                f"{key['function']}: success_basin against {word}",
            )
            scaling.figures.append(
                (f"{key['function']}: success_basin % at the tuned lr against {word}", f"figures/{stem}.png")
            )
    if scaling.figures:
        out.append(scaling)
    return out


def _slug(text: str) -> str:
    return "_".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def _verdict_section(results: pd.DataFrame, summary: pd.DataFrame, table_dir: Path) -> Section:
    """The three claims of the decay story, answered from this run (reports.verdict)."""
    cases = verdict.cases(results, summary)
    section = Section("Verdict: the decay story, claim by claim", verdict.paragraphs(cases))
    shifted = verdict.instance_shift(cases)
    if shifted is not None:
        section.paragraphs.append(shifted)
    if not cases.empty:
        caption = (
            "Every case behind the verdict (test starts; best decay at its tuned lr; constant lr small = the grid's "
            "smallest, large = its largest with at most 10% diverged; differences in percentage points with "
            "Newcombe's paired 95% interval)"
        )
        shown = verdict.table(cases)
        tables.write(shown, table_dir, "verdict", caption)
        section.tables.append((caption, shown))
    return section
