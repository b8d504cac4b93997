"""Registered losses; importing this package fills sslab.registry."""

from . import alignment  # noqa: F401
from . import bce  # noqa: F401
from . import zoo  # noqa: F401  (imports every two-view loss module, filling LOSSES and VIEW_LOSSES)
