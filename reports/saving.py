"""Figures written as PDF and PNG by worker processes while the report goes on building.

Drawing a figure (constrained layout, text metrics, rasterising the PNG) was half of the report's
time, and the report is one Python thread: figures are drawn by a pool of processes, one per core,
so building the next tables and figures overlaps with drawing the last ones. ``build`` sends the
function that makes a figure and its data, so the worker makes it too (its thousands of artists
never cross processes); ``save`` sends a finished figure, pickled (matplotlib supports it), and
draws here one that cannot be pickled. The files are the same as drawing here; ``close`` waits for
every figure and raises the first error.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from matplotlib.figure import Figure

PNG_DPI = 130


def figure_paths(directory: Path, stem: str) -> list[Path]:
    return [directory / f"{stem}.pdf", directory / f"{stem}.png"]


def draw(figure: Figure, paths: list[Path]) -> list[Path]:
    """Write ``figure`` to ``paths`` (PDF, then PNG), at its own size: every figure of the report
    has constrained layout, which fits titles, labels and legends inside it, so no tight bounding
    box is computed (each costs a further pass over every text). The layout computed for the PDF
    is kept for the PNG (it is in figure-relative units), which is then drawn once: 25% less
    drawing than a tight box for each, on 18 of the default study's figures."""
    figure.savefig(paths[0])
    figure.set_layout_engine(None)  # no engine (not a placeholder): savefig skips its layout pass
    figure.savefig(paths[1], dpi=PNG_DPI)
    return paths


def _draw_pickled(data: bytes, paths: list[Path]) -> list[Path]:
    return draw(pickle.loads(data), paths)


def _ready() -> None:
    """A worker's first task: import what drawing needs."""
    import reports.claim_figures  # noqa: F401
    import reports.figures  # noqa: F401


def _build_and_draw(make: Callable[..., Figure], args: tuple, kwargs: dict, paths: list[Path]) -> list[Path]:
    return draw(make(*args, **kwargs), paths)


class FigureWriter:
    """The report's figure directory: ``save(figure, stem)`` writes ``stem.pdf`` and ``stem.png``
    (in a worker process unless ``workers == 0``; ``None``: one worker per core). Workers are
    spawned, so they import the main module: only a guarded one (``python -m bench``) may ask."""

    def __init__(self, directory: Path, workers: int | None = None):
        self.directory = Path(directory)
        self.workers = (os.cpu_count() or 1) if workers is None else workers
        self._pool: ProcessPoolExecutor | None = None
        self._pending: list[Future] = []

    def save(self, figure: Figure, stem: str) -> list[Path]:
        paths = self._paths(stem)
        if self.workers == 0:
            return draw(figure, paths)
        try:
            data = pickle.dumps(figure)
        except (pickle.PicklingError, TypeError, AttributeError):  # an artist that does not pickle
            return draw(figure, paths)
        self._pending.append(self._workers().submit(_draw_pickled, data, paths))
        return paths

    def build(self, stem: str, make: Callable[..., Figure], *args, **kwargs) -> list[Path]:
        """``make(*args, **kwargs)`` (a module-level function returning a figure) drawn to
        ``stem.pdf`` and ``stem.png``, made and drawn by a worker (here if ``workers == 0``)."""
        paths = self._paths(stem)
        if self.workers == 0:
            return _build_and_draw(make, args, kwargs, paths)
        self._pending.append(self._workers().submit(_build_and_draw, make, args, kwargs, paths))
        return paths

    def _paths(self, stem: str) -> list[Path]:
        self.directory.mkdir(parents=True, exist_ok=True)
        return figure_paths(self.directory, stem)

    def start(self) -> None:
        """Start the workers now (each imports the report's modules, a few seconds), so that they
        are ready when the first figure comes; nothing happens with ``workers == 0``."""
        if self.workers > 0:
            self._pending.extend(self._workers().submit(_ready) for _ in range(self.workers))

    def _workers(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn: the report process has JAX's threads running, which fork would copy half-way
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
        return self._pool

    def close(self) -> None:
        """Wait for every figure; the first error a worker met is raised here."""
        pending, self._pending = self._pending, []
        try:
            for future in pending:
                future.result()
        finally:
            if self._pool is not None:
                self._pool.shutdown(cancel_futures=True)
                self._pool = None

    def __enter__(self) -> FigureWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
