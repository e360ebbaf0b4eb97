"""The ``actions-core`` command line: ``main`` is its entry point (see :mod:`.main`)."""

from actions_core.cli.main import main

__all__ = ["main"]
