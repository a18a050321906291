"""README tables generated from the registries, so they cannot drift.

python -m bench.docs          # rewrite the generated blocks of README.md in place
python -m bench.docs --check  # exit 1 if README.md is out of date (the tests run this)
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import functions
import schedules

from . import optimizers

README = Path(__file__).resolve().parents[1] / "README.md"


def functions_table() -> str:
    """The classic functions (instance 0); instances >= 1 move the optimum (functions/instances.py)."""
    lines = [
        "| key | d | box | f* | global minimisers | basin target | instances >= 1 | group | reference |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name in functions.names():
        objective = functions.get(name)
        if objective.instance_fn is not None:  # a suite with its own instances: bbob_table
            continue
        shown = list(objective.dims) if objective.dims else [2, 10]
        lo, hi = objective.bounds(shown[0])
        box = " x ".join(dict.fromkeys(f"[{a:g}, {b:g}]" for a, b in zip(lo, hi)))
        box += "^d" if objective.dims is None else ""
        box += " (projected)" if objective.enforce_box else ""
        dims = f">= {objective.min_dim}" if objective.dims is None else ", ".join(map(str, objective.dims))

        def per_d(text) -> str:
            return "; ".join(text(d) + (f" (d={d})" if len(shown) > 1 else "") for d in shown)  # noqa: B023

        f_opt = per_d(lambda d: f"{objective.f_opt(d):.10g}")  # noqa: B023
        minimisers = per_d(lambda d: str(len(objective.x_opt(d))))  # noqa: B023
        basin = per_d(lambda d: _target(objective, d))  # noqa: B023
        moved = "shifted, rotated" if objective.rotatable else "shifted"
        lines.append(
            f"| `{name}` | {dims} | {box} | {f_opt} | {minimisers} | {basin} | {moved} | {objective.group} | "
            f"{objective.reference} |"
        )
    return "\n".join(lines)


def bbob_table() -> str:
    """COCO's bbob functions: every value depends on the instance (COCO's instance numbers, >= 1)."""
    lines = ["| key | group | basin target | reference |", "|---|---|---|---|"]
    for name in functions.names():
        objective = functions.get(name)
        if objective.instance_fn is None:
            continue
        example = objective.instance(1)
        lines.append(f"| `{name}` | {objective.group} | {_target(example, 10)} | {objective.reference} |")
    return "\n".join(lines)


def _target(objective: functions.Objective, d: int) -> str:
    if not objective.has_basins:
        return "none defensible: judged by the target"
    value = objective.basin_target(d)
    return "none (all minima global)" if value is None else f"{value:.3g}"


def toml_value(value) -> str:
    """A parameter's default as it is written in a config."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, tuple | list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return f"{value:g}" if isinstance(value, float) else str(value)


def parameters_text(family: schedules.Family) -> str:
    return ", ".join(f"{k}={toml_value(v)}" for k, v in family.parameters().items())


def schedules_table() -> str:
    lines = ["| key | what it does | parameters (defaults) | reference |", "|---|---|---|---|"]
    for name in schedules.names():
        family = schedules.get(name)
        params = ", ".join(f"`{k}={toml_value(v)}`" for k, v in family.parameters().items())
        lines.append(f"| `{name}` | {family.summary} | {params} | {family.reference} |")
    return "\n".join(lines)


def optimizers_table() -> str:
    lines = ["| key | update | centre of an auto lr grid | reference |", "|---|---|---|---|"]
    for name in optimizers.names():
        optimizer = optimizers.get(name)
        centre = "none (reference method)" if optimizer.auto_centre is None else optimizer.auto_centre.describe()
        lines.append(f"| `{name}` | {optimizer.summary} | {centre} | {optimizer.reference} |")
    return "\n".join(lines)


BLOCKS = {
    "functions": functions_table,
    "bbob": bbob_table,
    "schedules": schedules_table,
    "optimizers": optimizers_table,
}


def render(text: str) -> str:
    for name, make in BLOCKS.items():
        pattern = re.compile(rf"(<!-- registry:{name} -->\n).*?(<!-- /registry:{name} -->)", re.S)
        if not pattern.search(text):
            raise ValueError(f"README.md lacks the block <!-- registry:{name} --> ... <!-- /registry:{name} -->")
        block = make()
        text = pattern.sub(lambda m: m.group(1) + block + "\n" + m.group(2), text)  # noqa: B023 (used at once)
    return text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if README.md is out of date")
    args = parser.parse_args(argv)
    current = README.read_text()
    fresh = render(current)
    if args.check:
        if fresh != current:
            print("README.md is out of date: run `python -m bench.docs`", file=sys.stderr)
            raise SystemExit(1)
        return
    README.write_text(fresh)


if __name__ == "__main__":
    main()
