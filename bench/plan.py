"""From a validated config to the work list: groups of cells sharing one compiled program."""

from __future__ import annotations

import dataclasses
import json

import numpy as np

import functions
import schedules

from . import optimizers
from .config import Config, ConfigError, param_combinations, success_target
from .noise import Noise

MAX_TABLE_VALUES = 50_000_000  # schedule x lr rows x steps of one program's lr table (400 MB)
REFERENCE_SCHEDULE = "none"  # the schedule of reference rows (lbfgs, random_search), lr 0.0


@dataclasses.dataclass(frozen=True)
class Group:
    """(function, dim, instance, optimizer, steps, noise): every schedule x params x lr row of it
    runs in one program."""

    function: str
    dim: int
    instance: int
    optimizer: str
    steps: int
    schedules: tuple[str, ...]
    lrs: tuple[float, ...]
    params: tuple[tuple[str, tuple], ...] = ()
    noise: Noise = Noise()

    @property
    def key(self) -> str:
        key = f"{self.function}-d{self.dim}-i{self.instance}-{self.optimizer}-T{self.steps}"
        return key if self.noise.kind == "none" else f"{key}-{self.noise.label}"

    @property
    def is_reference(self) -> bool:
        return optimizers.get(self.optimizer).kind == optimizers.REFERENCE

    def rows(self) -> list[tuple[str, float, dict]]:
        """(schedule, peak lr, params) of each row of the lr table, schedule-major, then params."""
        if self.is_reference:
            return [(REFERENCE_SCHEDULE, 0.0, {})]
        return [
            (schedule, lr, combo)
            for schedule in self.schedules
            for combo in param_combinations(schedule, self.params)
            for lr in self.lrs
        ]

    def lr_table(self) -> np.ndarray:
        """[rows, steps] learning rates (float64): every schedule evaluated over the budget."""
        if self.is_reference:
            return np.zeros((1, self.steps))
        t = np.arange(self.steps)
        table = [
            np.asarray(schedules.get(schedule)(peak=lr, steps=self.steps, **combo)(t), dtype=np.float64)
            for schedule, lr, combo in self.rows()
        ]
        return np.stack(table)


def schedule_params(schedule: str, combo: dict) -> str:
    """JSON of the family's other parameters: its documented defaults, overridden by ``combo``."""
    if schedule == REFERENCE_SCHEDULE:
        return "{}"
    return json.dumps({**schedules.get(schedule).parameters(), **combo}, sort_keys=True)


def groups(config: Config) -> list[Group]:
    out: dict[str, Group] = {}
    seen_cells: set[tuple] = set()
    for index, suite in enumerate(config.suites):
        for function in suite.functions:
            for dim in suite.dims:
                for instance in suite.instances:
                    objective = functions.problem(function, dim, instance)
                    for optimizer in suite.optimizers:
                        reference = optimizers.get(optimizer).kind == optimizers.REFERENCE
                        lrs = (
                            (0.0,) if reference else tuple(float(v) for v in suite.lr.values(objective, dim, optimizer))
                        )
                        cell_schedules = (REFERENCE_SCHEDULE,) if reference else suite.schedules
                        for steps in suite.steps or (config.run.steps,):
                            # Reference methods take no gradient steps: they run once, noise-free.
                            for noise in (Noise(),) if reference else suite.noise:
                                group = Group(
                                    function,
                                    dim,
                                    instance,
                                    optimizer,
                                    steps,
                                    cell_schedules,
                                    lrs,
                                    () if reference else suite.params,
                                    noise,
                                )
                                for schedule in cell_schedules:
                                    cell = (function, dim, instance, optimizer, schedule, steps, noise.label)
                                    if cell in seen_cells:
                                        raise ConfigError(
                                            f"suite[{index}]: cell {cell} appears in two [[suite]] entries; "
                                            "list each (function, dim, optimizer, schedule, noise) once"
                                        )
                                    seen_cells.add(cell)
                                out[group.key] = _merge(out.get(group.key), group, index)
    return list(out.values())


def _merge(previous: Group | None, group: Group, index: int) -> Group:
    """Two [[suite]] entries may give one program more schedules, with the same grids."""
    if previous is not None:
        if (previous.lrs, previous.params) != (group.lrs, group.params):
            raise ConfigError(
                f"suite[{index}].lr: {group.function} d={group.dim} {group.optimizer} gets two different "
                "lr or params grids from two [[suite]] entries; give it one"
            )
        group = dataclasses.replace(previous, schedules=previous.schedules + group.schedules)
    values = len(group.rows()) * group.steps
    if values > MAX_TABLE_VALUES:
        raise ConfigError(
            f"suite[{index}].lr.num: {group.function} d={group.dim} {group.optimizer} needs "
            f"{len(group.rows())} schedule x params x lr rows x {group.steps:,} steps = {values:,} "
            f"learning rates, above {MAX_TABLE_VALUES:,}; use fewer lr values, params, schedules or steps"
        )
    return group


def objective_facts(config: Config) -> dict[str, dict]:
    """Per (function, dim, instance): the thresholds the run judged by, saved in run.json for the
    report under ``facts_key``."""
    facts = {}
    for group in groups(config):
        objective = functions.problem(group.function, group.dim, group.instance)
        facts[facts_key(group.function, group.dim, group.instance)] = {
            "function": group.function,
            "dim": group.dim,
            "instance": group.instance,
            "f_opt": objective.f_opt(group.dim),
            "basin_target": objective.basin_target(group.dim),
            "has_basins": objective.has_basins,
            "success_target": success_target(config.run, objective, group.dim),
            "resolution_floor": objective.resolution_floor(group.dim, config.run.dtype),
            "stability_lr": objective.stability_lr(group.dim),
            "group": objective.group,
            "reference": objective.reference,
        }
    return facts


def facts_key(function: str, dim: int, instance: int) -> str:
    """run.json's key of one objective's facts (runs before instances keyed "function/dim")."""
    return f"{function}/{dim}" if instance == 0 else f"{function}/{dim}/i{instance}"
