"""Run a config into a run directory: groups -> parts -> results.parquet + run.json -> reports.

A run directory holds ``run.json`` (the config first, then provenance once finished) and, while
running, ``parts/<group>.parquet``, one per finished group. Running the same config again on the
directory resumes: finished groups are kept, missing ones computed. Another config is refused
unless ``fresh``. Files are written to a temporary name and renamed, so an interruption never
leaves a half-written file behind.
"""

from __future__ import annotations

import collections
import datetime
import os
import platform
import shutil
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import jax
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

import functions

from . import engine, results
from .config import Config, success_target
from .distributed import SINGLE, Processes, barrier, share
from .plan import Group, groups, objective_facts
from .rundir import SCHEMA_VERSION, RunDirError, read_run_json, remove_outputs, temporary, write_atomic, write_json
from .starts import draw_starts, noise_keys

ROWS_PER_PART = 1_000_000  # result rows computed and held in memory at once (a part file each)
IN_FLIGHT = 2  # parts dispatched to the devices ahead of the one being finished (``_computed``)


ROUGH_RATE_PER_CORE = 35e6  # element-steps/s, the default study's average on a 2-core CPU here (39 M measured)


def bytes_per_row(dim: int) -> int:
    """Rough in-memory size of one results row: two coordinate lists and ~25 scalars."""
    return 2 * 8 * dim + 25 * 8


PACKAGES = ("jax", "jaxlib", "optax", "numpy", "pandas", "pyarrow", "scipy", "statsmodels", "matplotlib")


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parent
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout.strip()


def _git_commit() -> str | None:
    """HEAD of the checkout the code runs from, with ``-dirty`` when it has uncommitted changes."""
    commit = _git("rev-parse", "HEAD")
    if not commit:
        return None
    return commit + ("-dirty" if _git("status", "--porcelain", "--untracked-files=no") else "")


def _versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def prepare(config: Config, out_dir: Path, fresh: bool, processes: Processes = SINGLE) -> dict:
    """Create or check the run directory; returns run.json's content. Nothing is removed unless
    ``fresh`` and the directory holds a run (a run.json). With several processes every one checks
    (so all refuse alike) and process 0 alone writes."""
    try:
        fresh_start = _check_dir(config, out_dir, fresh)
        barrier("checked", processes)
        if processes.leads and fresh_start:
            _start_dir(config, out_dir, fresh)
        barrier("prepared", processes)
        return read_run_json(out_dir / "run.json")
    except OSError as error:
        raise RunDirError(f"--out: {out_dir}: {error.strerror or error}; give a directory you can write") from None


def _check_dir(config: Config, out_dir: Path, fresh: bool) -> bool:
    """Whether the run starts afresh in ``out_dir`` (False: it resumes); RunDirError if it cannot
    be used. Reads only."""
    if out_dir.exists() and not out_dir.is_dir():
        raise RunDirError(f"--out: {out_dir} is a file; give a directory")
    run_json = out_dir / "run.json"
    holds_run = run_json.exists()
    if not holds_run and out_dir.exists() and any(out_dir.iterdir()):
        raise RunDirError(
            f"--out: {out_dir} is not empty and holds no run.json, so it is not a run directory; "
            "give an empty or new directory (--fresh only replaces a run directory)"
        )
    if holds_run and not fresh:
        previous = read_run_json(run_json)
        if previous["fingerprint"] != config.fingerprint():
            raise RunDirError(
                f"--out: {out_dir} holds a run of another config; use another --out or --fresh to overwrite it"
            )
        return False
    return True


def _start_dir(config: Config, out_dir: Path, fresh: bool) -> None:
    if fresh and (out_dir / "run.json").exists():
        remove_outputs(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    info = {
        "schema_version": SCHEMA_VERSION,
        "config": config.to_dict(),
        "fingerprint": config.fingerprint(),
        "seed": config.run.seed,
        "status": "running",
        "objectives": objective_facts(config),
        "block": engine.BLOCK,
        "git_commit": _git_commit(),
    }
    write_json(out_dir / "run.json", info)


def run(
    config: Config,
    out_dir: Path,
    *,
    fresh: bool = False,
    log=print,
    progress: bool = False,
    processes: Processes = SINGLE,
) -> Path:
    """Compute every missing group, then write results.parquet and complete run.json.

    ``progress``: a tqdm bar on stderr over the element-steps (with ETA, rate and compiles so far)
    instead of a line per part; the CLI asks for it when stderr is a terminal. ``processes``: this
    process's place in a multi-process run (``distributed.py``): it computes its share of the parts,
    and process 0 combines them once all are written."""
    out_dir = Path(out_dir)
    work = groups(config)
    info = prepare(config, out_dir, fresh, processes)
    results_path = out_dir / "results.parquet"
    if info.get("status") == "complete" and results_path.exists():
        if processes.leads:
            shutil.rmtree(out_dir / "parts", ignore_errors=True)  # left by a kill after completion
        log(f"{out_dir}: {_count(len(work), 'group')} already computed; rebuilding the report")
        return results_path
    parts = out_dir / "parts"
    parts.mkdir(exist_ok=True)

    started = time.time()
    log(_plan_line(config, work, processes))
    every_part = [(g, c) for g in work for c in chunks(config, g)]
    mine = [every_part[i] for i in share([_element_steps(config, g, c) for g, c in every_part], processes)]
    todo = [(g, c) for g, c in mine if not _finished(parts / _part_name(g, c), log)]
    if len(todo) < len(mine):
        log(f"resuming: {len(mine) - len(todo)} of {_count(len(mine), 'part')} already done")
    shown = _Progress(config, todo, log, progress, started)
    # A run computing every part in one process appends them to results.parquet as they come (in
    # the order ``_combine`` reads them), which spares reading them all back at the end; a resumed
    # or multi-process run combines the written parts.
    combined = _Appender(results_path) if processes.count == 1 and len(todo) == len(every_part) else None
    for group, chunk, table in _computed(config, todo):
        write_atomic(parts / _part_name(group, chunk), lambda p, table=table: pq.write_table(table, p))
        if combined is not None:
            combined.append(table)
        shown.finished(group, chunk)
    shown.close()

    barrier("computed", processes)  # every process's parts are written
    if processes.leads:
        if combined is not None:
            combined.close()
        else:
            _combine(config, work, parts, results_path)
        info.update(
            status="complete",
            versions=_versions(),
            devices=[str(d) for d in jax.devices()],
            processes=processes.count,
            wall_time_s=round(time.time() - started + info.get("wall_time_s", 0.0), 2),
            finished=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            command=" ".join(sys.argv),
        )
        write_json(out_dir / "run.json", info)
        shutil.rmtree(parts)  # only once run.json says complete: a kill before this loses nothing
    barrier("combined", processes)
    return results_path


def _compiles() -> int:
    """Programs traced (= compiled) so far in this process."""
    return sum(engine.TRACE_COUNT.values())


class _Progress:
    """A line per finished part (or a tqdm bar on stderr) with the elapsed time and an estimate of
    what is left, and a closing line with the rate and the number of compiles."""

    def __init__(self, config: Config, todo: list, log, progress: bool, started: float):
        self.config, self.todo, self.log, self.started = config, todo, log, started
        self.remaining = sum(_element_steps(config, g, c) for g, c in todo)
        self.done, self.count, self.last = 0, 0, time.time()
        self.compiles_before = _compiles()
        self.bar = None
        if progress:
            from tqdm import tqdm

            self.bar = tqdm(
                total=self.remaining, unit="el-step", unit_scale=True, file=sys.stderr, dynamic_ncols=True,
                desc="running", smoothing=0.1,
            )  # fmt: skip

    def finished(self, group: Group, chunk: slice) -> None:
        now = time.time()
        seconds, self.last = now - self.last, now
        work = _element_steps(self.config, group, chunk)
        self.done, self.count = self.done + work, self.count + 1
        if self.bar is not None:
            self.bar.update(work)
            self.bar.set_postfix_str(f"{group.key}, {_compiles() - self.compiles_before} compiles")
            return
        eta = (self.remaining - self.done) * (now - self.started) / self.done
        where = "" if chunk == slice(0, self.config.run.starts) else f" (starts {chunk.start}-{chunk.stop - 1})"
        self.log(
            f"[{self.count}/{len(self.todo)}] {group.key}{where}: {len(group.rows())} rows x "
            f"{chunk.stop - chunk.start} starts in {seconds:.1f} s; elapsed {_clock(now - self.started)}, "
            f"about {_clock(eta)} left"
        )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        if self.todo:
            elapsed = time.time() - self.started
            self.log(
                f"computed {_count(len(self.todo), 'part')} in {_clock(elapsed)}: "
                f"{self.done / max(elapsed, 1e-9) / 1e6:,.0f} M element-steps/s (starts x dim x steps x rows), "
                f"{_count(_compiles() - self.compiles_before, 'compile')}"
            )


def _computed(config: Config, todo: list):
    """(group, chunk, results table) for each part of ``todo`` in order. ``IN_FLIGHT`` parts are
    dispatched ahead of the one being waited for, so the next program traces and compiles (one
    core) and the host builds tables while the devices run the work before it."""
    starts_cache: dict[tuple, tuple] = {}
    in_flight: collections.deque = collections.deque()
    for group, chunk in todo:
        in_flight.append((group, chunk, _launch_chunk(config, group, chunk, starts_cache)))
        if len(in_flight) > IN_FLIGHT:
            group, chunk, pending = in_flight.popleft()
            yield group, chunk, pending.result()
    while in_flight:
        group, chunk, pending = in_flight.popleft()
        yield group, chunk, pending.result()


def _finished(part: Path, log) -> bool:
    """A part from an earlier session counts only if it reads back; an unreadable one is redone."""
    if not part.exists():
        return False
    try:
        pq.read_metadata(part)
    except (OSError, ValueError):
        log(f"{part.name} cannot be read back; computing it again")
        part.unlink()
        return False
    return True


def _element_steps(config: Config, group: Group, chunk: slice) -> int:
    return len(group.rows()) * (chunk.stop - chunk.start) * group.steps * group.dim


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(round(seconds)), 60)
    return f"{minutes}:{seconds:02d}"


def _plan_line(config: Config, work: list[Group], processes: Processes) -> str:
    cells = sum(len(g.schedules) for g in work)
    trajectories = sum(len(g.rows()) for g in work) * config.run.starts
    element_steps = sum(_element_steps(config, g, slice(0, config.run.starts)) for g in work)
    minutes = element_steps / (ROUGH_RATE_PER_CORE * (os.cpu_count() or 1)) / 60
    return (
        f"{_count(len(work), 'program')}, {_count(cells, 'cell')}, {trajectories:,} trajectories on "
        f"{jax.device_count()} device(s)"
        + (f" in {processes.count} processes" if processes.count > 1 else "")
        + f"; rough estimate: {minutes:.0f} min, peak memory "
        f"{memory_estimate(config, work) / 2**20:,.0f} MiB (results held in parts of <= {ROWS_PER_PART:,} rows)"
    )


def _launch_chunk(config: Config, group: Group, chunk: slice, starts_cache: dict) -> engine.Pending:
    """Dispatch one group on the starts ``chunk``; its result is the part's results table."""
    run = config.run
    objective = functions.problem(group.function, group.dim, group.instance)
    cache_key = (group.function, group.dim, group.instance)
    if cache_key not in starts_cache:
        x0 = draw_starts(group.function, group.dim, group.instance, run.seed, run.starts, run.start_distribution)
        starts_cache.clear()  # one set of starts at a time (parts in flight keep their own)
        start_gaps = engine.launch_polish_starts(group.function, group.dim, run.dtype, x0, group.instance)
        starts_cache[cache_key] = (x0, start_gaps)
    x0, start_gaps = starts_cache[cache_key]
    program = engine.Program(
        group.function,
        group.dim,
        group.optimizer,
        group.steps,
        run.dtype,
        len(run.targets),
        group.noise.kind,
        group.instance,
    )
    thresholds = np.array(run.targets)  # on f - f*
    keys = noise_keys(group.function, group.dim, group.instance, run.seed, chunk.start, chunk.stop - chunk.start)
    out = engine.launch_group(
        program, x0[chunk], group.lr_table(), thresholds, noise_table=group.noise.table(group.steps), keys=keys
    )

    def table() -> pa.Table:
        return results.group_table(
            group,
            seed=run.seed,
            targets=run.targets,
            success_target=success_target(run, objective, group.dim),
            x0=x0[chunk].astype(run.dtype).astype(np.float64),
            start_gap_polished=start_gaps.result()[chunk],
            out=out.result(),
            first_start=chunk.start,
        )

    return engine.Pending(table)


def chunks(config: Config, group: Group) -> list[slice]:
    """The group's starts in pieces of at most ``ROWS_PER_PART`` result rows (whole blocks), so a
    run of any size holds a bounded number of rows in memory; results do not depend on the split."""
    per_chunk = max(engine.BLOCK, ROWS_PER_PART // len(group.rows()) // engine.BLOCK * engine.BLOCK)
    n = config.run.starts
    return [slice(start, min(start + per_chunk, n)) for start in range(0, n, per_chunk)]


def _part_name(group: Group, chunk: slice) -> str:
    return f"{group.key}-s{chunk.start}.parquet"


def memory_estimate(config: Config, work: list[Group]) -> float:
    """Bytes held at the peak: one part's rows (with working copies) and one set of starts."""
    peak = 0
    for group in work:
        rows = len(group.rows()) * chunks(config, group)[0].stop
        peak = max(peak, rows * bytes_per_row(group.dim) * 4 + config.run.starts * group.dim * 16)
    return float(peak)


class _Appender:
    """results.parquet written table by table (to ``<name>.tmp``, renamed by ``close``), each table
    cast to the first one's schema."""

    def __init__(self, path: Path):
        self.path, self.tmp = path, temporary(path)
        self.writer: pq.ParquetWriter | None = None

    def append(self, table: pa.Table) -> None:
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.tmp, table.schema)
        self.writer.write_table(table.cast(self.writer.schema))

    def close(self) -> None:
        assert self.writer is not None, "a run has at least one part"
        self.writer.close()
        os.replace(self.tmp, self.path)


def _combine(config: Config, work: list[Group], parts: Path, path: Path) -> None:
    combined = _Appender(path)
    for group in work:
        for chunk in chunks(config, group):
            combined.append(pq.read_table(parts / _part_name(group, chunk)))
    combined.close()
