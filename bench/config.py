"""Config loading and validation: TOML -> one frozen, validated ``Config``.

Every error is a ``ConfigError`` naming the field, the value and what is allowed; the CLI prints it
as one line and exits with status 2.
"""

from __future__ import annotations

import dataclasses
import difflib
import itertools
import json
import math
import tomllib
from collections.abc import Mapping
from pathlib import Path

import numpy as np

import functions
import schedules

from . import noise as noise_module
from . import optimizers
from . import starts as starts_module
from .noise import Noise
from .rundir import InputError

DTYPES = ("float32", "float64")
# Upper limits: far beyond any sensible study, low enough that nothing overflows or exhausts memory
# before the first group (starts and steps are processed in fixed blocks; see DESIGN.md).
MAX_SEED = 2**32 - 1
MAX_STARTS = 10_000_000
MAX_STEPS = 1_000_000
MAX_DIM = 1000
MAX_LR_NUM = 1000
MAX_START_ELEMENTS = 50_000_000  # starts x d held in memory (400 MB in float64)
MAX_LR = 1e30  # representable in float32 (and on a log axis) with room to spare
NAME_CHARACTERS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
MAX_NAME_LENGTH = 100
DEFAULT_TARGET = {"float32": 1e-3, "float64": 1e-8}


class ConfigError(InputError):
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
            assert self.min is not None and self.max is not None  # an explicit grid has both
            return np.geomspace(self.min, self.max, self.num)
        auto_centre = optimizers.get(optimizer).auto_centre
        if auto_centre is None:
            raise ValueError(f"{optimizer} takes no lr (a reference method)")
        centre = auto_centre(objective.curvature(d), objective.basin_scale)
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
    # Schedule-parameter grid, tuned jointly with lr: ((name, (value, ...)), ...), sorted by name.
    params: tuple[tuple[str, tuple], ...] = ()
    noise: tuple[Noise, ...] = (Noise(),)


@dataclasses.dataclass(frozen=True)
class Run:
    name: str
    seed: int
    starts: int
    steps: int
    dtype: str
    targets: tuple[float, ...]
    target: float | None = None  # None: the dtype's default, raised to each objective's floor
    start_distribution: str = "uniform"  # bench/starts.py: uniform, normal or sobol


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
        if data["run"]["start_distribution"] == "uniform":
            del data["run"]["start_distribution"]
        # Keys added after the first release are left out at their defaults, so a run directory
        # of a config that does not use them resumes across versions.
        for suite in data["suite"]:
            if not suite["params"]:
                del suite["params"]
            if list(suite["noise"]) == [dataclasses.asdict(Noise())]:
                del suite["noise"]
        return json.dumps(data, sort_keys=True)


_RUN_KEYS = {"name", "seed", "starts", "steps", "dtype", "targets", "target", "start_distribution"}
_SUITE_KEYS = {"functions", "dims", "instances", "optimizers", "schedules", "lr", "steps", "params", "noise"}
_NOISE_KEYS = {"kind", "schedule", "scale"}
MAX_PARAM_COMBINATIONS = 1000
MIN_NOISE_SCALE = 1e-30  # smaller scales vanish in float32


def load(path: str | Path, overrides: list[str] | None = None) -> Config:
    """Read, override (``--set KEY=VALUE``) and validate a TOML config."""
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"config: {str(path)!r} is a directory; give a path to a .toml file")
    if not path.is_file():
        raise ConfigError(f"config: file {str(path)!r} does not exist; give a path to a .toml file")
    try:
        raw = tomllib.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"config: {path} is not UTF-8 text; a config is a TOML file") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config: {path} is not valid TOML: {error}") from None
    except OSError as error:
        raise ConfigError(f"config: {path} cannot be read ({error.strerror})") from None
    raw = apply_overrides(raw, overrides or [])
    run = raw.setdefault("run", {})
    if isinstance(run, dict) and "name" not in run:
        if not _valid_name(path.stem):
            raise ConfigError(
                f"run.name: not set, and the file name {path.stem!r} is not a valid run name; set run.name "
                "(letters, digits, '-', '_', '.'; not starting with '.')"
            )
        run["name"] = path.stem
    return parse(raw)


def _valid_name(name) -> bool:
    return (
        isinstance(name, str)
        and 0 < len(name) <= MAX_NAME_LENGTH
        and set(name) <= NAME_CHARACTERS
        and not name.startswith(".")
    )


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
    if not _valid_name(name):
        raise ConfigError(
            f"run.name: {name!r} is not allowed; use up to {MAX_NAME_LENGTH} letters, digits, '-', '_' "
            "or '.', not starting with '.'"
        )
    dtype = _choice(raw.get("dtype", "float32"), "run.dtype", DTYPES)
    targets = tuple(_positive_floats(raw.get("targets", [1e-1, 1e-3]), "run.targets"))
    columns: dict[str, float] = {}
    for value in targets:
        column = f"hit_{value:.0e}"
        if column in columns:
            raise ConfigError(
                f"run.targets: {columns[column]:g} and {value:g} both give the column {column}; "
                "list targets that differ in their first significant digit or exponent"
            )
        columns[column] = value
    target = raw.get("target")
    if target is not None:
        target = _positive_floats([target], "run.target")[0]
    return Run(
        name=name,
        seed=_int(raw.get("seed", 0), "run.seed", minimum=0, maximum=MAX_SEED),
        starts=_int(raw.get("starts", 4096), "run.starts", minimum=2, maximum=MAX_STARTS),
        steps=_int(raw.get("steps", 2000), "run.steps", minimum=1, maximum=MAX_STEPS),
        dtype=dtype,
        targets=targets,
        target=target,
        start_distribution=_choice(
            raw.get("start_distribution", "uniform"), "run.start_distribution", starts_module.DISTRIBUTIONS
        ),
    )


def _parse_suite(raw: Mapping, where: str, run: Run) -> Suite:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: must be a table ([[suite]])")
    _only(raw, _SUITE_KEYS, where)
    for key in ("functions", "dims", "optimizers", "schedules", "lr"):
        if key not in raw:
            raise ConfigError(
                f"{where}.{key}: missing; every [[suite]] needs functions, dims, optimizers, schedules and lr"
            )
    names = _names(raw["functions"], f"{where}.functions", functions.names())
    dims = _ints(raw["dims"], f"{where}.dims", minimum=1, maximum=MAX_DIM)
    for d in dims:
        if run.starts * d > MAX_START_ELEMENTS:
            raise ConfigError(
                f"{where}.dims: {d} with run.starts = {run.starts:,} gives {run.starts * d:,} start coordinates; "
                f"at most {MAX_START_ELEMENTS:,} are held at once: use fewer starts for this dimension"
            )
    instances = _ints(raw.get("instances", [0]), f"{where}.instances", minimum=0, maximum=MAX_SEED)
    for name in names:
        for d in dims:
            try:
                functions.get(name).check_dim(d)
            except ValueError as error:
                raise ConfigError(f"{where}.dims: {error}; put it in a [[suite]] of its own") from None
            for instance in instances:
                try:
                    functions.problem(name, d, instance)
                except ValueError as error:
                    raise ConfigError(f"{where}.instances: {error}") from None
    steps = None
    if "steps" in raw:
        steps = _ints(raw["steps"], f"{where}.steps", minimum=1, maximum=MAX_STEPS)
    family_names = _names(raw["schedules"], f"{where}.schedules", schedules.names())
    suite = Suite(
        functions=names,
        dims=dims,
        instances=instances,
        optimizers=_names(
            raw["optimizers"],
            f"{where}.optimizers",
            optimizers.accepted_names(),
            noun="optimizer",
            allowed=f"{', '.join(optimizers.names())}, and NAME+plateau for any but lbfgs and random_search",
        ),
        schedules=family_names,
        lr=_parse_lr(raw["lr"], f"{where}.lr"),
        steps=steps,
        params=_parse_params(raw.get("params", {}), f"{where}.params", family_names, steps or (run.steps,)),
        noise=_parse_noise(raw.get("noise", {"kind": noise_module.NONE}), f"{where}.noise"),
    )
    _check_targets(suite, run, where)
    return suite


def _check_targets(suite: Suite, run: Run, where: str) -> None:
    """Explicit targets below an objective's float resolution are refused (they can never be met)."""
    for name in suite.functions:
        for d, instance in itertools.product(suite.dims, suite.instances):
            floor = functions.problem(name, d, instance).resolution_floor(d, run.dtype)
            explicit = ([("run.target", run.target)] if run.target is not None else []) + [
                ("run.targets", t) for t in run.targets
            ]
            for field, value in explicit:
                if value < floor:
                    fix = f"use a target >= {floor:.2g}" + (
                        ' or run.dtype = "float64"' if run.dtype == "float32" else ""
                    )
                    raise ConfigError(
                        f"{field}: {value:g} is below what {run.dtype} resolves for {name} d={d} "
                        f"(floor {floor:.2g}); {fix}"
                    )


def success_target(run: Run, objective: functions.Objective, d: int) -> float:
    """The success_target threshold: explicit, or the dtype default raised to the floor."""
    if run.target is not None:
        return run.target
    return max(DEFAULT_TARGET[run.dtype], objective.resolution_floor(d, run.dtype))


def _parse_lr(raw, where: str) -> LrGrid:
    if not isinstance(raw, Mapping):
        raise ConfigError(
            f"{where}: {raw!r} is not allowed; use {{ min = 1e-4, max = 1.0, num = 13 }} or {{ auto = true, num = 9 }}"
        )
    if raw.get("auto", False) is True:
        _only(raw, {"auto", "num"}, where)
        return LrGrid(num=_int(raw.get("num", 9), f"{where}.num", minimum=1, maximum=MAX_LR_NUM), auto=True)
    _only(raw, {"min", "max", "num", "auto"}, where)
    if raw.get("auto", False) is not False:
        raise ConfigError(f"{where}.auto: {raw['auto']!r} is not allowed; use true or false")
    for key in ("min", "max", "num"):
        if key not in raw:
            raise ConfigError(f"{where}.{key}: missing; an explicit grid needs min, max and num (or auto = true)")
    low, high = _positive_floats([raw["min"], raw["max"]], where + ".min/max")
    if high > MAX_LR:
        raise ConfigError(f"{where}.max: {high:g} is not allowed; peak learning rates must be <= {MAX_LR:g}")
    if low > high:
        raise ConfigError(f"{where}: min = {low:g} is above max = {high:g}; min must be <= max")
    num = _int(raw["num"], f"{where}.num", minimum=1, maximum=MAX_LR_NUM)
    if num > 1 and low == high:
        raise ConfigError(f"{where}: min = max = {low:g} with num = {num}; use num = 1 or a wider range")
    return LrGrid(num=num, min=low, max=high)


MAX_PARAM_MAGNITUDE = 1e6  # schedule parameters are fractions, factors, powers and counts
MAX_CYCLES = 10_000
SANITY_POINTS = 2001  # steps at which each schedule of a config is evaluated before anything runs


def _parse_params(raw, where: str, family_names: tuple[str, ...], budgets: tuple[int, ...]):
    """``{ end = [0.0, 0.01], warmup = 0.05 }``: each key a parameter of at least one listed family;
    a list is a grid (tuned jointly with lr), a single value a setting. Every combination is built
    and evaluated here, so a bad value is refused before anything runs."""
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: {raw!r} is not allowed; use a table such as {{ end = [0.0, 0.01] }}")
    accepted = {key: value for name in family_names for key, value in schedules.get(name).parameters().items()}
    entries: list[tuple[str, tuple]] = []
    for key in sorted(raw):
        if key not in accepted:
            raise ConfigError(
                f"{where}: {key!r} is not a parameter of {', '.join(family_names)}{_did_you_mean(key, accepted)}; "
                f"allowed: {', '.join(sorted(accepted)) or 'none (these families take only peak and steps)'}"
            )
        default = accepted[key]
        # A parameter whose value is itself a list (step's boundaries) takes a list per grid point.
        takes_list = isinstance(default, tuple | list)
        single = not isinstance(raw[key], list) or (takes_list and not any(isinstance(v, list) for v in raw[key]))
        values = [
            _param_value(v, default, f"{where}.{key}")
            for v in _list([raw[key]] if single else raw[key], f"{where}.{key}")
        ]
        for i, value in enumerate(values):
            if value in values[:i]:
                raise ConfigError(f"{where}.{key}: {_shown(value)} is listed twice; list each value once")
        entries.append((key, tuple(values)))
    grid = tuple(entries)
    for name in family_names:
        combos = param_combinations(name, grid)
        if len(combos) > MAX_PARAM_COMBINATIONS:
            raise ConfigError(f"{where}: {len(combos):,} combinations for {name}; at most {MAX_PARAM_COMBINATIONS:,}")
        for combo in combos:
            for steps in budgets:
                _check_schedule(name, steps, combo, where)
    return grid


def _param_value(value, default, where: str):
    """One value of a schedule parameter, of the same kind as its default."""
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: {_shown(value)} is not allowed; use true or false")
        return value
    if isinstance(default, str):
        if not isinstance(value, str):
            raise ConfigError(f"{where}: {_shown(value)} is not allowed; use a string such as {default!r}")
        return value
    if isinstance(default, tuple | list):
        if not isinstance(value, list) or not value:
            raise ConfigError(f"{where}: {_shown(value)} is not allowed; use a list of numbers such as {list(default)}")
        return tuple(_number(v, where) for v in value)
    if isinstance(default, int):  # a count (cycles)
        return _int(value, where, minimum=1, maximum=MAX_CYCLES)
    return _number(value, where)


def _number(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where}: {_shown(value)} is not allowed; must be a number")
    number = _as_float(value)
    if not math.isfinite(number) or abs(number) > MAX_PARAM_MAGNITUDE:
        raise ConfigError(
            f"{where}: {_shown(value)} is not allowed; must be a finite number of magnitude "
            f"<= {MAX_PARAM_MAGNITUDE:g}"
        )
    return number


def _check_schedule(name: str, steps: int, combo: dict, where: str) -> None:
    """Build the schedule and evaluate it: it must give finite lrs, not all zero."""
    shown = ", ".join(f"{k}={v}" for k, v in combo.items())
    try:
        schedule = schedules.get(name)(peak=1.0, steps=steps, **combo)
    except (TypeError, ValueError) as error:
        raise ConfigError(f"{where}: {error}") from None
    points = np.unique(np.linspace(0, steps - 1, min(steps, SANITY_POINTS)).round())
    with np.errstate(all="ignore"):
        lr = np.asarray(schedule(points))
    if not np.all(np.isfinite(lr)):
        raise ConfigError(f"{where}: {name} with {shown} gives non-finite learning rates; use smaller values")
    if not np.any(lr > 0):
        raise ConfigError(f"{where}: {name} with {shown} gives lr 0 at every step of {steps}; use other values")


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def param_combinations(family: str, grid: tuple[tuple[str, tuple], ...]) -> list[dict]:
    """The grid's combinations restricted to the parameters ``family`` has ([{}] if none)."""
    own = [(key, values) for key, values in grid if key in schedules.get(family).parameters()]
    combos: list[dict] = [{}]
    for key, values in own:
        combos = [{**combo, key: value} for combo in combos for value in values]
    return combos


def _parse_noise(raw, where: str) -> tuple[Noise, ...]:
    """One table or a list of them: ``{ kind = "langevin", schedule = "cosine", scale = 1.0 }``."""
    entries = raw if isinstance(raw, list) else [raw]
    out: list[Noise] = []
    for i, entry in enumerate(_list(entries, where)):
        here = f"{where}[{i}]" if isinstance(raw, list) else where
        if not isinstance(entry, Mapping):
            raise ConfigError(
                f'{here}: {entry!r} is not allowed; use {{ kind = "langevin", schedule = "cosine", scale = 1.0 }}'
            )
        _only(entry, _NOISE_KEYS, here)
        if "kind" not in entry:
            raise ConfigError(f'{here}.kind: missing; give kind = "none", "gradient" or "langevin"')
        kind = entry.get("kind")
        if kind not in noise_module.KINDS:
            raise ConfigError(
                f"{here}.kind: {kind!r} is not allowed{_did_you_mean(kind, noise_module.KINDS)}; "
                f"allowed: {', '.join(noise_module.KINDS)}"
            )
        if kind == noise_module.NONE:
            if set(entry) != {"kind"}:
                raise ConfigError(f'{here}: kind = "none" takes no schedule or scale; remove them')
            item = Noise()
        else:
            if "scale" not in entry:
                raise ConfigError(f"{here}.scale: missing; {kind} noise needs a positive scale (sigma or temperature)")
            scale = _positive_floats([entry["scale"]], f"{here}.scale")[0]
            if not MIN_NOISE_SCALE <= scale <= MAX_LR:
                raise ConfigError(
                    f"{here}.scale: {scale:g} is not allowed; must be in [{MIN_NOISE_SCALE:g}, {MAX_LR:g}]"
                )
            family = entry.get("schedule", "constant")
            _names([family], f"{here}.schedule", schedules.names())
            item = Noise(kind=kind, schedule=family, scale=scale)
        if any(other.label == item.label for other in out):
            raise ConfigError(
                f"{here}: {item.label!r} is listed twice (labels keep 6 significant digits of the "
                "scale); list each noise setting once"
            )
        out.append(item)
    return tuple(out)


# -- small validators --------------------------------------------------------------------------


def _choice(value, where: str, allowed) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ConfigError(f"{where}: {_shown(value)} is not allowed; allowed: {', '.join(allowed)}")
    return value


def _did_you_mean(value, known) -> str:
    known = list(known)
    same_but_case = [k for k in known if isinstance(value, str) and k.lower() == value.lower()]
    close = same_but_case or difflib.get_close_matches(str(value), known, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _only(raw: Mapping, allowed: set[str], where: str) -> None:
    unknown = sorted(map(str, set(raw) - allowed))
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r}{_did_you_mean(unknown[0], allowed)}; "
            f"allowed keys: {', '.join(sorted(allowed))}"
        )


def _list(value, where: str) -> list:
    if not isinstance(value, list) or not value:
        raise ConfigError(f"{where}: {value!r} is not allowed; give a non-empty list")
    return value


def _int(value, where: str, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise ConfigError(f"{where}: {_shown(value)} is not allowed; must be an integer in [{minimum}, {maximum:,}]")
    return value


def _ints(values, where: str, minimum: int, maximum: int) -> tuple[int, ...]:
    out = tuple(_int(v, where, minimum, maximum) for v in _list(values, where))
    for i, value in enumerate(out):
        if value in out[:i]:
            raise ConfigError(f"{where}: {value} is listed twice; list each value once")
    return out


def _positive_floats(values, where: str) -> list[float]:
    out = []
    for value in _list(values, where):
        number = _as_float(value)
        if not math.isfinite(number) or number <= 0:
            raise ConfigError(f"{where}: {_shown(value)} is not allowed; must be a positive finite number")
        out.append(number)
    return out


def _as_float(value) -> float:
    """A TOML number as a float (inf where it overflows); NaN for anything else, booleans included."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return math.nan
    try:
        return float(value)
    except OverflowError:
        return math.inf


def _names(values, where: str, known: list[str], noun: str = "name", allowed: str | None = None) -> tuple[str, ...]:
    out = []
    for value in _list(values, where):
        if not isinstance(value, str) or value not in known:
            raise ConfigError(
                f"{where}: {value!r} is not a known {noun}{_did_you_mean(value, known)}; "
                f"allowed: {allowed or ', '.join(known)}"
            )
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
        for depth, part in enumerate(parts[:-1]):
            where = ".".join(parts[:depth]) or "the config"
            if isinstance(node, list):
                if not part.isdigit() or int(part) >= len(node):
                    raise ConfigError(
                        f"--set: {key!r}: {where} is a list of {len(node)}; index {part!r} does not exist "
                        f"(use 0 to {len(node) - 1})"
                    )
                node = node[int(part)]
            else:
                node = node.setdefault(part, [] if part == "suite" and node is raw else {})
            if not isinstance(node, dict | list):
                raise ConfigError(f"--set: {key!r}: {part!r} holds a value, not a table; e.g. run.starts=8192")
        if isinstance(node, list):
            where = ".".join(parts[:-1])
            raise ConfigError(f"--set: {key!r}: {where} is a list; name an entry, e.g. {where}.0.{parts[-1]}=...")
        if not isinstance(node, dict):
            raise ConfigError(f"--set: {key!r} does not name a config key; e.g. run.starts=8192")
        node[parts[-1]] = value
    return raw
