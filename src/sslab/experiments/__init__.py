"""Experiments, one module per paper; importing this package registers them."""

from . import wenli2021, yang2024  # noqa: F401
