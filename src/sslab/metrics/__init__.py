"""Registered metrics; importing this package fills sslab.registry."""

from . import yang2024  # noqa: F401
from . import diagnostics  # noqa: F401
