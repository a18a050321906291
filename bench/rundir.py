"""The run directory on disk: atomic writes, and reading run.json back safely.

Every file is written to a temporary name and renamed, so an interruption never leaves a
half-written file behind. ``read_run_json`` turns every way a run.json can be unreadable into a
``RunDirError`` with a one-line message.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

SCHEMA_VERSION = 1
REQUIRED_KEYS = ("schema_version", "config", "fingerprint", "status", "objectives")
# What a run writes: --fresh removes exactly these, nothing else.
OUTPUT_FILES = ("results.parquet", "run.json", "summary.csv", "report.md", "report.html")
OUTPUT_DIRS = ("parts", "tables", "figures")


class InputError(ValueError):
    """Bad input from the user: the CLI prints the message as one line and exits with status 2."""


class RunDirError(InputError):
    """A run directory that cannot be used as asked."""


def temporary(path: Path) -> Path:
    """Where ``path`` is written before it is renamed into place."""
    return path.with_name(path.name + ".tmp")


def write_atomic(path: Path, write) -> None:
    tmp = temporary(path)
    write(tmp)
    os.replace(tmp, path)


def write_json(path: Path, data: dict) -> None:
    write_atomic(path, lambda p: p.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n"))


def read_run_json(path: Path) -> dict:
    """run.json as a dict with the keys a run writes; RunDirError for anything else."""
    try:
        info = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise RunDirError(f"{path.parent} has no run.json; it is not a run directory written by 'run'") from None
    except IsADirectoryError:
        raise RunDirError(f"{path} is a directory, not a file; this is not a run directory") from None
    except OSError as error:
        raise RunDirError(f"{path} cannot be read ({error.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise RunDirError(
            f"{path} is not valid JSON; it was not written by 'run' (use --fresh to start over)"
        ) from None
    if not isinstance(info, dict) or any(key not in info for key in REQUIRED_KEYS):
        raise RunDirError(f"{path} lacks the keys a run writes ({', '.join(REQUIRED_KEYS)}); use --fresh to start over")
    if info["schema_version"] != SCHEMA_VERSION:
        raise RunDirError(f"{path} has schema_version {info['schema_version']!r}; this version reads {SCHEMA_VERSION}")
    return info


def remove_outputs(directory: Path) -> None:
    """--fresh: remove what a run wrote, and only that."""
    for name in OUTPUT_FILES:
        (directory / name).unlink(missing_ok=True)
    for name in OUTPUT_DIRS:
        shutil.rmtree(directory / name, ignore_errors=True)
