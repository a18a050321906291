"""From a validated config to the work list: groups of cells sharing one compiled program."""

from __future__ import annotations

import dataclasses
import json

import numpy as np

import functions
import schedules

from .config import Config, ConfigError, success_target

MAX_TABLE_VALUES = 50_000_000  # schedule x lr rows x steps of one program's lr table (400 MB)
NOISE = "none"  # noise annealing is not part of this version; the column is kept for the schema


@dataclasses.dataclass(frozen=True)
class Group:
    """(function, dim, instance, optimizer, steps): every schedule x lr of it runs in one program."""

    function: str
    dim: int
    instance: int
    optimizer: str
    steps: int
    schedules: tuple[str, ...]
    lrs: tuple[float, ...]

    @property
    def key(self) -> str:
        return f"{self.function}-d{self.dim}-i{self.instance}-{self.optimizer}-T{self.steps}"

    def rows(self) -> list[tuple[str, float]]:
        """(schedule, peak lr) of each row of the lr table, schedule-major."""
        return [(schedule, lr) for schedule in self.schedules for lr in self.lrs]

    def lr_table(self) -> np.ndarray:
        """[rows, steps] learning rates (float64): every schedule evaluated over the budget."""
        t = np.arange(self.steps)
        table = [
            np.asarray(schedules.get(schedule)(peak=lr, steps=self.steps)(t), dtype=np.float64)
            for schedule, lr in self.rows()
        ]
        return np.stack(table)


def schedule_params(schedule: str) -> str:
    """JSON of the family's other parameters (its documented defaults in this version)."""
    return json.dumps(schedules.get(schedule).parameters(), sort_keys=True)


def groups(config: Config) -> list[Group]:
    out: dict[str, Group] = {}
    seen_cells: set[tuple] = set()
    for index, suite in enumerate(config.suites):
        for function in suite.functions:
            objective = functions.get(function)
            for dim in suite.dims:
                for instance in suite.instances:
                    for optimizer in suite.optimizers:
                        lrs = tuple(float(v) for v in suite.lr.values(objective, dim, optimizer))
                        for steps in suite.steps or (config.run.steps,):
                            group = Group(function, dim, instance, optimizer, steps, suite.schedules, lrs)
                            for schedule in suite.schedules:
                                cell = (function, dim, instance, optimizer, schedule, steps)
                                if cell in seen_cells:
                                    raise ConfigError(
                                        f"suite[{index}]: cell {cell} appears in two [[suite]] entries; "
                                        "list each (function, dim, optimizer, schedule) once"
                                    )
                                seen_cells.add(cell)
                            if group.key in out:
                                previous = out[group.key]
                                if previous.lrs != group.lrs:
                                    raise ConfigError(
                                        f"suite[{index}].lr: {function} d={dim} {optimizer} gets two "
                                        "different lr grids from two [[suite]] entries; give it one"
                                    )
                                group = dataclasses.replace(
                                    previous, schedules=previous.schedules + group.schedules
                                )
                            if len(group.rows()) * group.steps > MAX_TABLE_VALUES:
                                raise ConfigError(
                                    f"suite[{index}].lr.num: {function} d={dim} {optimizer} needs "
                                    f"{len(group.rows())} schedule x lr rows x {steps:,} steps = "
                                    f"{len(group.rows()) * steps:,} learning rates, above {MAX_TABLE_VALUES:,}; "
                                    "use fewer lr values, schedules or steps"
                                )
                            out[group.key] = group
    return list(out.values())


def objective_facts(config: Config) -> dict[str, dict]:
    """Per (function, dim): the thresholds the run judged by, saved in run.json for the report."""
    facts = {}
    for group in groups(config):
        objective = functions.get(group.function)
        key = f"{group.function}/{group.dim}"
        facts[key] = {
            "function": group.function,
            "dim": group.dim,
            "f_opt": objective.f_opt(group.dim),
            "basin_target": objective.basin_target(group.dim),
            "success_target": success_target(config.run, objective, group.dim),
            "resolution_floor": objective.resolution_floor(group.dim, config.run.dtype),
            "stability_lr": objective.stability_lr(group.dim),
            "group": objective.group,
            "reference": objective.reference,
        }
    return facts
