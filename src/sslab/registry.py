"""Named registries: a config names a data model, model, loss, metric or experiment by key."""

from __future__ import annotations

from typing import Any, Callable, Generic, Iterator, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """A mapping from names to components, with errors that list the valid names."""

    def __init__(self, kind: str):
        self.kind = kind
        self._items: dict[str, T] = {}

    def register(self, name: str, item: T | None = None) -> Any:
        """Register ``item`` under ``name``; usable as a decorator when ``item`` is omitted."""

        def add(obj: T) -> T:
            if name in self._items and self._items[name] is not obj:
                raise ValueError(f"{self.kind} {name!r} is already registered")
            self._items[name] = obj
            return obj

        return add if item is None else add(item)

    def __getitem__(self, name: str) -> T:
        try:
            return self._items[name]
        except KeyError:
            raise KeyError(
                f"unknown {self.kind} {name!r}; valid choices: {', '.join(sorted(self._items))}"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._items))

    def names(self) -> list[str]:
        return sorted(self._items)

    def items(self) -> list[tuple[str, T]]:
        return sorted(self._items.items())


DATA: Registry[Any] = Registry("data model")
MODELS: Registry[Any] = Registry("model")
LOSSES: Registry[Callable[..., Any]] = Registry("loss")
METRICS: Registry[Callable[..., Any]] = Registry("metric set")
THEORY: Registry[Callable[..., Any]] = Registry("theory object")
EXPERIMENTS: Registry[Any] = Registry("experiment")
