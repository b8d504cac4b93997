"""Experiments, one module per paper; importing this package registers them."""

from . import bansal2024, compose, tian2022, wenli2021, wenli2021_digits, yang2024  # noqa: F401
