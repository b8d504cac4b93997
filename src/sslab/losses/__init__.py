"""Registered losses; importing this package fills sslab.registry."""

from . import alignment  # noqa: F401
from . import bce  # noqa: F401
