"""Registered data; importing this package fills sslab.registry."""

from . import yang2024  # noqa: F401
