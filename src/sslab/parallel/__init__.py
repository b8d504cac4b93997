"""Executors that run chunks of lane blocks: in-process, a local process pool, or Ray."""
