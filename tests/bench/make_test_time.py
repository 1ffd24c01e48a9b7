"""Record how long ``make test`` took: ``make_test_time.py START OUT``.

``make test`` writes the time it started (seconds since the epoch) into
START and, when every stage has passed, calls this script, which writes
OUT (JSON): the wall-clock seconds, the commit, whether the working tree
had changes, the CPUs and when it finished. ``make bench`` reports the
figure for the commit it runs on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path


def git(*args: str) -> str:
    done = subprocess.run(["git", *args], capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else ""


def record(start: float, now: float) -> dict:
    return {"seconds": round(now - start, 1),
            "commit": git("rev-parse", "HEAD"),
            "changed_files": bool(git("status", "--porcelain",
                                      "--untracked-files=no")),
            "cpus": os.cpu_count(),
            "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                      time.gmtime(now))}


def main(start_file: str, out_file: str) -> None:
    start = float(Path(start_file).read_text())
    entry = record(start, time.time())
    Path(out_file).write_text(json.dumps(entry, indent=2) + "\n")
    print(f"make test passed in {entry['seconds']:.0f} s [timing]")


if __name__ == "__main__":
    main(*sys.argv[1:3])
