"""The schedule-family registry: one record per key, registered once."""

from __future__ import annotations

from ._family import Family

_REGISTRY: dict[str, Family] = {}


def register(family: Family) -> Family:
    if family.name in _REGISTRY:
        raise ValueError(f"schedule family {family.name!r} is already registered")
    _REGISTRY[family.name] = family
    return family


def names() -> list[str]:
    """Registered step -> lr families, in registration order."""
    return list(_REGISTRY)


def get(name: str) -> Family:
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(_REGISTRY)
        raise KeyError(f"unknown schedule {name!r}; known schedules: {known}") from None
