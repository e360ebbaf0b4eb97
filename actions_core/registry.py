"""Finding installed destinations: the plugin manager factory and a typed registry over it.

Plugins are loaded from the entry-point group ``actions_core.destinations`` one by one, so that
a plugin that fails to import is reported with its package name without taking the others
down, and each ``register`` call knows which package made it: two packages registering the
same slug is an error naming both (pluggy alone would silently keep one).

Set ``ACTIONS_CORE_DISABLE_PLUGINS=name,name`` (entry-point or package names) to skip plugins.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import pluggy

from actions_core import hookspecs
from actions_core.definition_checks import check_destination
from actions_core.definitions import Destination
from actions_core.errors import PluginError, UnknownDestinationError

DISABLE_ENV = "ACTIONS_CORE_DISABLE_PLUGINS"


@dataclass(frozen=True)
class InstalledDestination:
    """A registered destination and the package that provides it."""

    destination: Destination
    package: str
    version: str | None = None


@dataclass(frozen=True)
class PluginFailure:
    """A plugin that could not be loaded or whose registration failed."""

    package: str
    entry_point: str
    error: str

    def __str__(self) -> str:
        return f"plugin {self.entry_point!r} from package {self.package!r}: {self.error}"


def get_plugin_manager() -> pluggy.PluginManager:
    """A fresh plugin manager with the hook specifications added and no plugin loaded."""
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    return pm


@dataclass
class DestinationRegistry:
    """The destinations that plugins registered, with the failures met along the way.

    Build one with :meth:`from_entry_points` (what the CLI does) or :meth:`from_plugins`
    (tests: plugin objects given directly, named as if they came from a package).
    """

    plugin_manager: pluggy.PluginManager = field(default_factory=get_plugin_manager)
    failures: list[PluginFailure] = field(default_factory=list)
    _by_slug: dict[str, list[InstalledDestination]] = field(default_factory=dict)

    # ------------------------------------------------------------------ building

    @classmethod
    def from_entry_points(
        cls, entry_points: Iterable[metadata.EntryPoint] | None = None
    ) -> DestinationRegistry:
        registry = cls()
        eps = (
            entry_points
            if entry_points is not None
            else metadata.entry_points(group=hookspecs.ENTRY_POINT_GROUP)
        )
        disabled = {n.strip() for n in os.environ.get(DISABLE_ENV, "").split(",") if n.strip()}
        for ep in eps:
            package = ep.dist.name if ep.dist is not None else ep.module
            version = ep.dist.version if ep.dist is not None else None
            if ep.name in disabled or package in disabled:
                continue
            try:
                plugin = ep.load()
            except Exception as exc:  # a broken plugin must not take the others down
                registry.failures.append(
                    PluginFailure(package, ep.name, f"failed to import: {type(exc).__name__}: {exc}")
                )
                continue
            registry.add_plugin(plugin, package=package, name=ep.name, version=version)
        return registry

    @classmethod
    def from_plugins(cls, plugins: dict[str, Any]) -> DestinationRegistry:
        """Register plugin objects keyed by the package name they stand for."""
        registry = cls()
        for package, plugin in plugins.items():
            registry.add_plugin(plugin, package=package, name=package)
        return registry

    def add_plugin(
        self, plugin: Any, *, package: str, name: str, version: str | None = None
    ) -> None:
        """Register one plugin and run its registration hook right away."""
        plugin_name = f"{package}:{name}"
        if self.plugin_manager.is_registered(plugin):
            return  # the same module reached through two entry points
        try:
            self.plugin_manager.register(plugin, name=plugin_name)
        except ValueError as exc:
            self.failures.append(PluginFailure(package, name, str(exc)))
            return
        hook = self.plugin_manager.hook.actions_core_register_destinations
        for impl in hook.get_hookimpls():
            if impl.plugin_name != plugin_name:
                continue
            try:
                impl.function(register=self._registrar(package, version))
            except Exception as exc:
                self.failures.append(
                    PluginFailure(package, name, f"registration failed: {type(exc).__name__}: {exc}")
                )

    def _registrar(self, package: str, version: str | None) -> Callable[[Destination], None]:
        def register(destination: Destination) -> None:
            check_destination(destination)
            entry = InstalledDestination(destination, package, version)
            self._by_slug.setdefault(destination.slug, []).append(entry)

        return register

    # ------------------------------------------------------------------- queries

    def conflicts(self) -> dict[str, list[str]]:
        """Slugs registered by more than one package, with those packages."""
        return {
            slug: [e.package for e in entries]
            for slug, entries in self._by_slug.items()
            if len(entries) > 1
        }

    def installed(self) -> list[InstalledDestination]:
        """Every registration, sorted by slug (conflicting ones included, for listings)."""
        return [e for slug in sorted(self._by_slug) for e in self._by_slug[slug]]

    def get(self, slug: str) -> Destination:
        entries = self._by_slug.get(slug)
        if not entries:
            known = ", ".join(sorted(self._by_slug)) or "none"
            hint = "".join(f"; {f}" for f in self.failures)
            raise UnknownDestinationError(
                f"No installed destination has the slug {slug!r} (installed: {known}){hint}"
            )
        if len(entries) > 1:
            packages = " and ".join(repr(e.package) for e in entries)
            raise PluginError(
                f"Destination slug {slug!r} is registered by more than one package: {packages}. "
                f"Uninstall one of them, or disable one with {DISABLE_ENV}=<package>."
            )
        return entries[0].destination


_default_registry: DestinationRegistry | None = None


def get_registry(*, refresh: bool = False) -> DestinationRegistry:
    """The registry of installed plugins, loaded once per process."""
    global _default_registry
    if _default_registry is None or refresh:
        _default_registry = DestinationRegistry.from_entry_points()
    return _default_registry


def get_destination(slug: str) -> Destination:
    """The installed destination with this slug."""
    return get_registry().get(slug)


def list_destinations() -> list[InstalledDestination]:
    """Installed destinations with the package that provides each."""
    return get_registry().installed()


__all__ = [
    "DestinationRegistry",
    "InstalledDestination",
    "PluginFailure",
    "get_destination",
    "get_plugin_manager",
    "get_registry",
    "list_destinations",
]
