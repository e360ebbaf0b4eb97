"""Hostile config files: ``actions-core validate`` stays within bounded memory and time and
answers with a located config error (exit 3), whatever the file holds."""

from __future__ import annotations

import resource
import subprocess
from pathlib import Path

import pytest

from tests.processes import actions_core, cli_env

pytestmark = pytest.mark.slow

MEMORY_CAP = 1 << 30  # 1 GiB of address space: the bomb below needs far more to expand

BILLION_LAUGHS = """\
destination: actions-launchdarkly-audiences
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def validate_capped(config: Path) -> subprocess.CompletedProcess[str]:
    """``actions-core validate CONFIG`` in a process limited to ``MEMORY_CAP`` of memory."""
    return subprocess.run(
        [*actions_core(), "validate", str(config)], capture_output=True, text=True,
        env=cli_env(), timeout=120, check=False, preexec_fn=_cap_memory,
    )


def test_a_yaml_alias_bomb_is_a_config_error_at_the_alias_that_goes_over(tmp_path: Path) -> None:
    config = tmp_path / "bomb.yaml"
    config.write_text(BILLION_LAUGHS, encoding="utf-8")
    result = validate_capped(config)
    assert (result.returncode, result.stderr) == (
        3,
        f"{config}:7:8: the alias *e takes the document past 100,000 values once aliases are "
        "expanded; expected a config that repeats less (nested aliases multiply: a few lines "
        "can stand for billions of values)\n",
    )


def test_a_config_file_larger_than_a_mebibyte_is_refused_unread(tmp_path: Path) -> None:
    config = tmp_path / "huge.yaml"
    config.write_text("destination: x\n" + "# padding\n" * 120_000, encoding="utf-8")
    result = validate_capped(config)
    assert (result.returncode, result.stderr) == (
        3,
        f"{config}: the config is larger than 1024 KiB; expected a config file (a few kilobytes)\n",
    )
