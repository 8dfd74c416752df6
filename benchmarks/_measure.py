"""Measure wall time and peak memory of a command run in a child process."""

from __future__ import annotations

import resource
import subprocess
import sys
import time


def measure(cmd: list[str]) -> tuple[float, float]:
    """Run ``cmd``; return (wall seconds, peak resident memory of the child in MiB). Raises on failure."""
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=sys.stderr)
    wall = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, peak_kib / 1024.0
