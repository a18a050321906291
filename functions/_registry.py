"""The objective registry: one record per key, registered once."""

from __future__ import annotations

from ._objective import Objective

_REGISTRY: dict[str, Objective] = {}


def register(objective: Objective) -> Objective:
    if objective.name in _REGISTRY:
        raise ValueError(f"objective {objective.name!r} is already registered")
    _REGISTRY[objective.name] = objective
    return objective


def names() -> list[str]:
    """Registered objective keys, in registration order."""
    return list(_REGISTRY)


def get(name: str) -> Objective:
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(_REGISTRY)
        raise KeyError(f"unknown function {name!r}; known functions: {known}") from None


def problem(name: str, d: int, instance: int = 0) -> Objective:
    """The objective a cell runs: ``get(name)``, instance ``instance``, checked for dimension ``d``.

    Unknown names raise KeyError; an unsupported dimension or instance raises ValueError."""
    objective = get(name)
    objective.check_dim(d)
    return objective.instance(instance)
