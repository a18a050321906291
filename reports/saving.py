"""Figures written as PDF and PNG by worker processes while the report goes on building.

Drawing a figure (constrained layout, text metrics, rasterising the PNG) was half of the report's
time, and the report is one Python thread: the figure is pickled (matplotlib supports it) and drawn
by a pool of processes, one per core, so building the next tables and figures overlaps with
drawing the last ones. A figure that cannot be pickled is drawn in this process. The files are the
same as a direct ``save``; ``close`` waits for every figure and raises the first error.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from matplotlib.figure import Figure

PNG_DPI = 130


def figure_paths(directory: Path, stem: str) -> list[Path]:
    return [directory / f"{stem}.pdf", directory / f"{stem}.png"]


def draw(figure: Figure, paths: list[Path]) -> list[Path]:
    """Write ``figure`` to ``paths`` (PDF, then PNG). The layout computed for the PDF is kept for
    the PNG (it is in figure-relative units), so constrained layout runs once."""
    figure.savefig(paths[0], bbox_inches="tight")
    figure.set_layout_engine("none")
    figure.savefig(paths[1], bbox_inches="tight", dpi=PNG_DPI)
    return paths


def _draw_pickled(data: bytes, paths: list[Path]) -> list[Path]:
    return draw(pickle.loads(data), paths)


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
        self.directory.mkdir(parents=True, exist_ok=True)
        paths = figure_paths(self.directory, stem)
        if self.workers == 0:
            return draw(figure, paths)
        try:
            data = pickle.dumps(figure)
        except (pickle.PicklingError, TypeError, AttributeError):  # an artist that does not pickle
            return draw(figure, paths)
        if self._pool is None:
            # spawn: the report process has JAX's threads running, which fork would copy half-way
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
        self._pending.append(self._pool.submit(_draw_pickled, data, paths))
        return paths

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
