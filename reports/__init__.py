"""Aggregation, tables, figures and the report page; the only package that draws.

>>> import reports
>>> built = reports.build("runs/smoke")      # doctest: +SKIP
>>> print(built.headline)                     # doctest: +SKIP
"""

from ._load import ReportInputError
from .build import Built, build

__all__ = ["Built", "ReportInputError", "build"]
