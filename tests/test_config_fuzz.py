"""Fuzzing the config schema: whatever a TOML file or a --set holds, loading either gives a
validated Config or raises ConfigError (one line, exit 2 in the CLI); never anything else."""

from __future__ import annotations

import copy
import math
import tomllib

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bench import config
from bench.config import ConfigError

GOOD = tomllib.loads("""
[run]
name = "t"
seed = 0
starts = 16
steps = 20
dtype = "float32"
targets = [1e-1, 1e-3]
[[suite]]
functions = ["rastrigin"]
dims = [2]
instances = [0]
optimizers = ["sgd"]
schedules = ["constant", "cosine"]
lr = { min = 1e-3, max = 1e-1, num = 3 }
""")

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["rastrigin", "cosine", "sgd", "float64", "", ".", "a/b", "auto"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=8,
)
PATHS = (
    [("run", key) for key in GOOD["run"]]
    + [("suite", 0, key) for key in GOOD["suite"][0]]
    + [("suite", 0, "lr", key) for key in ("min", "max", "num", "auto")]
    + [("run",), ("suite",), ("suite", 0)]
)


def mutate(raw: dict, path: tuple, value) -> dict:
    raw = copy.deepcopy(raw)
    node = raw
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return raw


def loads_or_refuses(raw) -> None:
    try:
        loaded = config.parse(raw)
    except ConfigError as error:
        message = str(error)
        assert message and "\n" not in message
        return
    assert loaded.run.starts >= 2 and all(math.isfinite(t) and t > 0 for t in loaded.run.targets)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(PATHS), value=values)
def test_any_value_anywhere(path, value):
    loads_or_refuses(mutate(GOOD, path, value))


@settings(max_examples=100, deadline=None)
@given(key=st.text(max_size=10), value=values, where=st.sampled_from(["run", "suite0", "top"]))
def test_any_extra_key(key, value, where):
    raw = copy.deepcopy(GOOD)
    target = {"run": raw["run"], "suite0": raw["suite"][0], "top": raw}[where]
    target.setdefault(key, value)
    loads_or_refuses(raw)


@settings(max_examples=200, deadline=None)
@given(assignment=st.text(max_size=30))
def test_any_set_override(assignment):
    try:
        raw = config.apply_overrides(copy.deepcopy(GOOD), [assignment])
    except ConfigError as error:
        assert "\n" not in str(error)
        return
    loads_or_refuses(raw)


DOTTED = [
    "run.starts",
    "run.steps",
    "run.seed",
    "run.dtype",
    "run.name",
    "run.targets",
    "run.target",
    "suite.0.dims",
    "suite.0.functions",
    "suite.0.lr",
    "suite.0.lr.num",
    "suite.0.lr.min",
    "suite.0.steps",
    "suite.0.schedules",
    "suite.0.optimizers",
    "suite.1.dims",
    "run.starts.x",
    "suite",
    "run",
]


@settings(max_examples=300, deadline=None)
@given(
    key=st.sampled_from(DOTTED),
    text=st.one_of(
        st.text(max_size=20),
        st.sampled_from(
            ["[2, 2]", "[]", "1e400", "nan", "-1", "0", "true", "{auto = true}", '["x"]', "99999999999999999999"]
        ),
    ),
)
def test_any_value_for_a_known_override(key, text):
    try:
        raw = config.apply_overrides(copy.deepcopy(GOOD), [f"{key}={text}"])
    except ConfigError as error:
        assert "\n" not in str(error)
        return
    loads_or_refuses(raw)


FAMILIES = ["constant", "step", "exponential", "cosine_restarts", "one_cycle_linear", "wsd", "triangular"]
PARAM_KEYS = [
    "end",
    "warmup",
    "cycles",
    "mult",
    "power",
    "pct_start",
    "pct_final",
    "boundaries",
    "staircase",
    "shape",
    "decay",
    "period",
    "factor",
]


plausible = st.one_of(
    st.floats(min_value=-0.5, max_value=2.0),
    st.integers(min_value=-2, max_value=20),
    st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=3),
    st.booleans(),
    st.sampled_from(["linear", "cosine", "sqrt"]),
    values,
)
noises = st.one_of(
    values,
    st.fixed_dictionaries(
        {"kind": st.sampled_from(["none", "gradient", "langevin"])},
        optional={"scale": plausible, "schedule": st.sampled_from(FAMILIES)},
    ),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    family=st.sampled_from(FAMILIES),
    params=st.dictionaries(st.sampled_from(PARAM_KEYS), plausible, max_size=3),
    noise=noises,
)
def test_any_schedule_parameters_and_noise(family, params, noise):
    """Whatever params and noise hold: a Config whose every schedule gives finite lrs, or one line."""
    from bench import plan

    raw = copy.deepcopy(GOOD)
    raw["suite"][0]["schedules"] = [family]
    raw["suite"][0]["params"] = params
    raw["suite"][0]["noise"] = noise
    try:
        loaded = config.parse(raw)
    except ConfigError as error:
        assert str(error) and "\n" not in str(error)
        event("refused")
        return
    event("accepted")
    for group in plan.groups(loaded):
        table = group.lr_table()
        assert np.all(np.isfinite(table)) and np.any(table > 0)
        assert np.all(np.isfinite(group.noise.table(group.steps)))
