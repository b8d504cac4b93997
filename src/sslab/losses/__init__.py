"""Losses: one pure function of arrays per file (imports jax and numpy only; no registry, no config).

:mod:`.zoo` is the one loss table: every two-view loss behind one calling convention, for composition.
"""
