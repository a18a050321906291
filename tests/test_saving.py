"""Figures drawn by worker processes: the same files as drawn here, and errors reach close()."""

from __future__ import annotations

import inspect

import pytest
from matplotlib.figure import Figure

import reports
from reports.saving import FigureWriter


def _figure(values=(2, 0, 1), title: str = "$f - f^*$ against the step") -> Figure:
    figure = Figure(figsize=(3, 2), layout="constrained")
    axes = figure.subplots()
    axes.plot(range(len(values)), values, label="a line")
    axes.set_title(title)
    axes.legend()
    return figure


def test_a_worker_writes_the_pdf_and_png_that_drawing_here_writes(tmp_path):
    with FigureWriter(tmp_path / "here", workers=0) as here:
        here.save(_figure(), "plot")
    with FigureWriter(tmp_path / "worker", workers=1) as worker:
        paths = worker.save(_figure(), "plot")
    assert [p.name for p in paths] == ["plot.pdf", "plot.png"]
    assert (tmp_path / "worker" / "plot.png").read_bytes() == (tmp_path / "here" / "plot.png").read_bytes()
    assert (tmp_path / "worker" / "plot.pdf").stat().st_size > 1000


def test_a_figure_made_and_drawn_by_a_worker_is_the_one_made_and_drawn_here(tmp_path):
    with FigureWriter(tmp_path / "here", workers=0) as here:
        here.build("plot", _figure, (3, 1, 2), title="made elsewhere")
    with FigureWriter(tmp_path / "worker", workers=1) as worker:
        paths = worker.build("plot", _figure, (3, 1, 2), title="made elsewhere")
    assert [p.name for p in paths] == ["plot.pdf", "plot.png"]
    assert (tmp_path / "worker" / "plot.png").read_bytes() == (tmp_path / "here" / "plot.png").read_bytes()
    # and it is the figure asked for, not the default one
    with FigureWriter(tmp_path / "other", workers=0) as other:
        other.save(_figure(), "plot")
    assert (tmp_path / "other" / "plot.png").read_bytes() != (tmp_path / "here" / "plot.png").read_bytes()


def test_a_workers_error_is_raised_at_close(tmp_path):
    writer = FigureWriter(tmp_path, workers=1)
    writer.save(_figure(), "no_such_folder/plot")  # the worker cannot write there
    with pytest.raises(FileNotFoundError):
        writer.close()


def test_the_python_api_draws_in_process_by_default():
    # Worker processes import the caller's main module: a user's script without a main guard
    # would run again in each, so only the CLI (python -m bench, guarded) asks for them.
    assert inspect.signature(reports.build).parameters["figure_workers"].default == 0
