"""One registry type for everything gemeval looks up by name: model adapters, scorers, data
sources and task folders.

A :class:`Registry` maps names to entries. It is filled on first use, from gemeval's own
entries (the ``builtins`` module registers them) and then from the Python entry points of
installed packages, so a lab can ship an adapter, a scorer, a data source or a folder of
tasks as its own package::

    # pyproject.toml of the plug-in package
    [project.entry-points."gemeval.models"]
    mylab = "mylab_gemeval:MyLabModel"          # a class following gemeval.models.base.Model
    [project.entry-points."gemeval.scorers"]
    mylab-score = "mylab_gemeval:MyScorer"      # a class following gemeval.scoring.Scorer
    [project.entry-points."gemeval.data"]
    mylab-data = "mylab_gemeval:load"           # load(task, options) -> Dataset | None
    [project.entry-points."gemeval.tasks"]
    mylab = "mylab_gemeval"                     # a package whose folder holds task YAML files

An entry is data (a name, a ``"module:attr"`` target and what the listing shows); the target
is imported only when the entry is used, through :func:`resolve`. A second entry under a
name already taken is refused, naming both origins; an entry whose target lacks the
interface its registry needs is refused when it is loaded.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Iterator, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any, Generic, TypeVar

from gemeval.errors import GemevalError

T = TypeVar("T")


class RegistryError(GemevalError):
    """A plug-in or registration that cannot be used: a name taken twice, a target that
    cannot be imported, or one that lacks the interface its registry needs."""


def resolve(target: str, what: str) -> Any:
    """The object named by ``"package.module:attr"`` (``attr`` may be dotted), imported now.

    ``what`` says what the target is for (``"model adapter 'mylab'"``), for the error."""
    module_name, sep, attr = target.partition(":")
    if not sep or not module_name or not attr:
        raise RegistryError(f"{what}: {target!r} is not of the form package.module:attr")
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise RegistryError(f"{what}: cannot import {module_name} ({exc}); is its package installed "
                            "(or the module on PYTHONPATH)?") from exc
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise RegistryError(f"{what}: {module_name} has no attribute {attr!r}") from None
    return obj


def package_dir(module_name: str) -> Path | None:
    """The folder of a package, found without importing it."""
    spec = importlib.util.find_spec(module_name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


class Registry(Mapping[str, T], Generic[T]):
    """Entries by name, filled on first use from ``builtins`` and the ``group`` entry points.

    ``from_entry_point(name, value, dist)`` turns an entry point into an entry without
    importing it; ``check(entry, obj)`` returns what is missing from a loaded target, or None.
    """

    def __init__(self, kind: str, group: str, builtins: str | None,
                 from_entry_point: Callable[[str, str, str], T],
                 check: Callable[[T, Any], str | None] | None = None):
        self.kind = kind
        self.group = group
        self._builtins = builtins
        self._from_entry_point = from_entry_point
        self._check = check
        self._entries: dict[str, T] = {}
        self._origins: dict[str, str] = {}
        self._filled = False
        self._filling = False

    def add(self, name: str, entry: T, origin: str = "gemeval") -> T:
        """Register ``entry`` under ``name``; RegistryError if the name is taken."""
        if name in self._entries:
            raise RegistryError(
                f"{self.kind} {name!r} is registered twice: by {self._origins[name]} and by {origin}; "
                "rename one of them (or uninstall the package that should not provide it)"
            )
        self._entries[name] = entry
        self._origins[name] = origin
        return entry

    def origin(self, name: str) -> str:
        """Who registered ``name``: ``gemeval`` or the plug-in's distribution."""
        self._fill()
        return self._origins[name]

    def load(self, name: str, target: str) -> Any:
        """Import ``target`` of the entry ``name`` and check it has the interface needed."""
        obj = resolve(target, f"{self.kind} {name!r}")
        if self._check is not None:
            problem = self._check(self._entries[name], obj) if name in self._entries else None
            if problem:
                raise RegistryError(f"{self.kind} {name!r} ({target}, from {self._origins.get(name, '?')}): {problem}")
        return obj

    def _fill(self) -> None:
        if self._filled or self._filling:
            return
        self._filling = True
        try:
            if self._builtins:
                importlib.import_module(self._builtins)
            for ep in sorted(metadata.entry_points(group=self.group), key=lambda e: e.name):
                dist = ep.dist.name if ep.dist is not None else "an installed package"
                self.add(ep.name, self._from_entry_point(ep.name, ep.value, dist), origin=f"plug-in {dist}")
            self._filled = True
        finally:
            self._filling = False

    def __getitem__(self, name: str) -> T:
        self._fill()
        return self._entries[name]

    def __iter__(self) -> Iterator[str]:
        self._fill()
        return iter(self._entries)

    def __len__(self) -> int:
        self._fill()
        return len(self._entries)

    def __contains__(self, name: object) -> bool:
        self._fill()
        return name in self._entries

    def unknown(self, name: str, where: str = "") -> str:
        """The message for a name that is not registered, with the known names."""
        return f"{where}unknown {self.kind} {name!r}; known: {', '.join(sorted(self))}"
