"""Shared test configuration. Fixtures for destination authors live in the pytest plugin
``actions_core.testing.pytest_plugin``; this file only holds what the project's own suite needs."""
