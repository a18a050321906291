"""Config loading and validation: TOML -> one frozen, validated ``Config``.

Every error is a ``ConfigError`` naming the field, the value and what is allowed; the CLI prints it
as one line and exits with status 2.
"""

from __future__ import annotations

import dataclasses
import json
import math
import tomllib
from collections.abc import Mapping
from pathlib import Path

import numpy as np

import functions
import schedules

from . import optimizers

DTYPES = ("float32", "float64")
DEFAULT_TARGET = {"float32": 1e-3, "float64": 1e-8}


class ConfigError(ValueError):
    """A config value that is not allowed; the message names field, value and what is allowed."""


@dataclasses.dataclass(frozen=True)
class LrGrid:
    """Peak learning rates: ``explicit`` (log-spaced min..max, taken literally) or ``auto``."""

    num: int
    min: float | None = None
    max: float | None = None
    auto: bool = False

    def values(self, objective: functions.Objective, d: int, optimizer: str) -> np.ndarray:
        if not self.auto:
            return np.geomspace(self.min, self.max, self.num)
        centre = optimizers.get(optimizer).auto_centre(objective.curvature(d), objective.basin_scale)
        return np.geomspace(centre / 10.0, centre * 100.0, self.num)


@dataclasses.dataclass(frozen=True)
class Suite:
    functions: tuple[str, ...]
    dims: tuple[int, ...]
    instances: tuple[int, ...]
    optimizers: tuple[str, ...]
    schedules: tuple[str, ...]
    lr: LrGrid
    steps: tuple[int, ...] | None = None


@dataclasses.dataclass(frozen=True)
class Run:
    name: str
    seed: int
    starts: int
    steps: int
    dtype: str
    targets: tuple[float, ...]
    target: float | None = None  # None: the dtype's default, raised to each objective's floor


@dataclasses.dataclass(frozen=True)
class Config:
    run: Run
    suites: tuple[Suite, ...]

    def to_dict(self) -> dict:
        return {"run": dataclasses.asdict(self.run), "suite": [dataclasses.asdict(s) for s in self.suites]}

    def fingerprint(self) -> str:
        """Canonical JSON of everything that decides the numbers (not the run name)."""
        data = self.to_dict()
        data["run"] = {k: v for k, v in data["run"].items() if k != "name"}
        return json.dumps(data, sort_keys=True)


_RUN_KEYS = {"name", "seed", "starts", "steps", "dtype", "targets", "target"}
_SUITE_KEYS = {"functions", "dims", "instances", "optimizers", "schedules", "lr", "steps"}


def load(path: str | Path, overrides: list[str] | None = None) -> Config:
    """Read, override (``--set KEY=VALUE``) and validate a TOML config."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config: file {str(path)!r} does not exist; give a path to a .toml file")
    try:
        raw = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config: {path} is not valid TOML: {error}") from None
    if "run" in raw and isinstance(raw["run"], dict):
        raw["run"].setdefault("name", path.stem)
    return parse(apply_overrides(raw, overrides or []))


def parse(raw: Mapping) -> Config:
    _only(raw, {"run", "suite"}, "config")
    run_raw = raw.get("run", {})
    if not isinstance(run_raw, Mapping):
        raise ConfigError("run: must be a table ([run])")
    run = _parse_run(run_raw)
    suites_raw = raw.get("suite")
    if not isinstance(suites_raw, list) or not suites_raw:
        raise ConfigError("suite: at least one [[suite]] table is required")
    suites = tuple(_parse_suite(entry, f"suite[{i}]", run) for i, entry in enumerate(suites_raw))
    return Config(run=run, suites=suites)


def _parse_run(raw: Mapping) -> Run:
    _only(raw, _RUN_KEYS, "run")
    name = raw.get("name", "run")
    if not isinstance(name, str) or not name or any(c in name for c in "/\\") or name.startswith("."):
        raise ConfigError(f"run.name: {name!r} is not allowed; use a non-empty name without slashes")
    dtype = raw.get("dtype", "float32")
    if dtype not in DTYPES:
        raise ConfigError(f"run.dtype: {dtype!r} is not allowed; allowed: {', '.join(DTYPES)}")
    targets = tuple(_positive_floats(raw.get("targets", [1e-1, 1e-3]), "run.targets"))
    target = raw.get("target")
    if target is not None:
        target = _positive_floats([target], "run.target")[0]
    return Run(
        name=name,
        seed=_int(raw.get("seed", 0), "run.seed", minimum=0),
        starts=_int(raw.get("starts", 4096), "run.starts", minimum=2),
        steps=_int(raw.get("steps", 2000), "run.steps", minimum=1),
        dtype=dtype,
        targets=targets,
        target=target,
    )


def _parse_suite(raw: Mapping, where: str, run: Run) -> Suite:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: must be a table ([[suite]])")
    _only(raw, _SUITE_KEYS, where)
    for key in ("functions", "dims", "optimizers", "schedules", "lr"):
        if key not in raw:
            raise ConfigError(f"{where}.{key}: missing; every [[suite]] needs functions, dims, optimizers, schedules and lr")
    names = _names(raw["functions"], f"{where}.functions", functions.names())
    dims = tuple(_int(d, f"{where}.dims", minimum=1) for d in _list(raw["dims"], f"{where}.dims"))
    for name in names:
        objective = functions.get(name)
        for d in dims:
            try:
                objective.check_dim(d)
            except ValueError as error:
                raise ConfigError(f"{where}.dims: {error}; put it in a [[suite]] of its own") from None
    instances = tuple(_int(i, f"{where}.instances", minimum=0) for i in _list(raw.get("instances", [0]), f"{where}.instances"))
    if any(i != 0 for i in instances):
        raise ConfigError(f"{where}.instances: {list(instances)} is not allowed; only instance 0 (textbook) exists so far")
    steps = None
    if "steps" in raw:
        steps = tuple(_int(s, f"{where}.steps", minimum=1) for s in _list(raw["steps"], f"{where}.steps"))
    suite = Suite(
        functions=names,
        dims=dims,
        instances=instances,
        optimizers=_names(raw["optimizers"], f"{where}.optimizers", optimizers.names()),
        schedules=_names(raw["schedules"], f"{where}.schedules", schedules.names()),
        lr=_parse_lr(raw["lr"], f"{where}.lr"),
        steps=steps,
    )
    _check_targets(suite, run, where)
    return suite


def _check_targets(suite: Suite, run: Run, where: str) -> None:
    """Explicit targets below an objective's float resolution are refused (they can never be met)."""
    for name in suite.functions:
        objective = functions.get(name)
        for d in suite.dims:
            floor = objective.resolution_floor(d, run.dtype)
            explicit = ([("run.target", run.target)] if run.target is not None else []) + [
                ("run.targets", t) for t in run.targets
            ]
            for field, value in explicit:
                if value < floor:
                    raise ConfigError(
                        f"{field}: {value:g} is below what {run.dtype} resolves for {name} d={d} "
                        f"(floor {floor:.2g}); use a target >= {floor:.2g} or run.dtype = \"float64\""
                    )


def success_target(run: Run, objective: functions.Objective, d: int) -> float:
    """The success_target threshold: explicit, or the dtype default raised to the floor."""
    if run.target is not None:
        return run.target
    return max(DEFAULT_TARGET[run.dtype], objective.resolution_floor(d, run.dtype))


def _parse_lr(raw, where: str) -> LrGrid:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: {raw!r} is not allowed; use {{ min = 1e-4, max = 1.0, num = 13 }} or {{ auto = true, num = 9 }}")
    if raw.get("auto", False) is True:
        _only(raw, {"auto", "num"}, where)
        return LrGrid(num=_int(raw.get("num", 9), f"{where}.num", minimum=1), auto=True)
    _only(raw, {"min", "max", "num", "auto"}, where)
    if raw.get("auto", False) is not False:
        raise ConfigError(f"{where}.auto: {raw['auto']!r} is not allowed; use true or false")
    for key in ("min", "max", "num"):
        if key not in raw:
            raise ConfigError(f"{where}.{key}: missing; an explicit grid needs min, max and num (or auto = true)")
    low, high = _positive_floats([raw["min"], raw["max"]], where + ".min/max")
    if low > high:
        raise ConfigError(f"{where}: min = {low:g} is above max = {high:g}; min must be <= max")
    num = _int(raw["num"], f"{where}.num", minimum=1)
    if num > 1 and low == high:
        raise ConfigError(f"{where}: min = max = {low:g} with num = {num}; use num = 1 or a wider range")
    return LrGrid(num=num, min=low, max=high)


# -- small validators --------------------------------------------------------------------------


def _only(raw: Mapping, allowed: set[str], where: str) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}; allowed keys: {', '.join(sorted(allowed))}")


def _list(value, where: str) -> list:
    if not isinstance(value, list) or not value:
        raise ConfigError(f"{where}: {value!r} is not allowed; give a non-empty list")
    return value


def _int(value, where: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{where}: {value!r} is not allowed; must be an integer >= {minimum}")
    return value


def _positive_floats(values, where: str) -> list[float]:
    out = []
    for value in _list(values, where):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
            raise ConfigError(f"{where}: {value!r} is not allowed; must be a positive finite number")
        out.append(float(value))
    return out


def _names(values, where: str, known: list[str]) -> tuple[str, ...]:
    out = []
    for value in _list(values, where):
        if value not in known:
            raise ConfigError(f"{where}: {value!r} is not a known name; allowed: {', '.join(known)}")
        if value in out:
            raise ConfigError(f"{where}: {value!r} is listed twice; list each name once")
        out.append(value)
    return tuple(out)


def apply_overrides(raw: dict, assignments: list[str]) -> dict:
    """Apply ``--set run.starts=8192`` style overrides (TOML values) to a raw config dict."""
    for assignment in assignments:
        key, sep, text = assignment.partition("=")
        if not sep or not key:
            raise ConfigError(f"--set: {assignment!r} is not allowed; use KEY=VALUE, e.g. run.starts=8192")
        try:
            value = tomllib.loads(f"v = {text}")["v"]
        except tomllib.TOMLDecodeError:
            value = text
        node = raw
        parts = key.split(".")
        for part in parts[:-1]:
            if part == "suite":
                node = node.setdefault("suite", [])
                continue
            if isinstance(node, list):
                if not part.isdigit() or int(part) >= len(node):
                    raise ConfigError(f"--set: {key!r}: suite index {part!r} does not exist")
                node = node[int(part)]
            else:
                node = node.setdefault(part, {})
        if isinstance(node, list):
            raise ConfigError(f"--set: {key!r}: name a suite entry, e.g. suite.0.dims=[2]")
        node[parts[-1]] = value
    return raw
