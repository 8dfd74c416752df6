"""Helpers for tests that run the workflow."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SNAKEMAKE = [sys.executable, "-m", "snakemake"]


def snakemake_command(repo: Path, workdir: Path, *args: str) -> list[str]:
    return [*SNAKEMAKE, "--snakefile", str(repo / "Snakefile"), "--directory", str(workdir),
            "--workflow-profile", "none", "--cores", "2", *args]


def snakemake(repo: Path, workdir: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = snakemake_command(repo, workdir, *args)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run(cmd, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, timeout=600)


def planned_jobs(output: str, counts: bool = False):
    """The rules in a dry run's job table (a set), or ``{rule: number of jobs}`` with ``counts``."""
    jobs, in_stats = {}, False
    for line in output.splitlines():
        if line.startswith("job "):
            in_stats = True
            continue
        if in_stats:
            if not line.strip() or line.startswith("total"):
                break
            if not line.startswith("-"):
                name, number = line.split()[:2]
                jobs[name] = int(number)
    return jobs if counts else set(jobs)
