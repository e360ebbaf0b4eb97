"""CPU instructions per event of ``actions-core run --dry-run``, counted by valgrind.

    python benchmarks/instructions.py                # 10k and 20k events: the difference / 10k
    python benchmarks/instructions.py --n 5000       # faster, a little less exact

Wall-clock figures on a shared VM move by tens of percent from one minute to the next;
instruction counts do not (the same code, input and hash seed give the same count to within
about 2%), so they tell whether a change made the per-event path cheaper. Two runs, of ``n`` and ``2n``
events, cancel out start-up and compilation: what is left is the per-event cost of reading,
parsing, trigger, mapping, validation, batching, request building and writing. Memory stalls
do not count, so this complements bench.py rather than replacing it. Needs valgrind.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate_events import write_events  # noqa: E402

_RUN = """
import os, sys
sys.path.insert(0, {here!r})
from bench import load_instance
from actions_core.runtime.runner import RunFiles, options_for, run
files = RunFiles(input=sys.argv[1], dry_run=True, output=os.devnull)
run(load_instance(), files, options_for(files))
"""


def instructions(events: Path) -> int:
    """Instructions valgrind counts for one whole process running ``events``."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "run.py"
        script.write_text(_RUN.format(here=str(HERE)))
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/out",
             sys.executable, str(script), str(events)],
            capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": "0"},  # dict probing depends on the seed
        )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count in valgrind's output:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="events in the smaller run")
    parser.add_argument("--data", type=Path, default=HERE / "data")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    counts = []
    for n in (args.n, 2 * args.n):
        path = args.data / f"events-{n}.jsonl"
        if not path.exists():
            write_events(path, n)
        counts.append(instructions(path))
    per_event = (counts[1] - counts[0]) / args.n
    print(f"{per_event:,.0f} instructions per event ({args.n:,} and {2 * args.n:,} events)")


if __name__ == "__main__":
    main()
