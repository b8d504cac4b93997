"""Experiments, one module per paper; importing this package registers them."""

from . import yang2024  # noqa: F401
