"""Helpers for tests that run the workflow."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

SNAKEMAKE = [sys.executable, "-m", "snakemake"]


def rule_blocks(repo: Path):
    """``(rules file, rule name, the rule's text)`` for every rule and checkpoint in
    ``workflow/rules``; a rule made in a loop is named by its ``name:`` (the f-string's text, e.g.
    ``gather_{product}``)."""
    for smk in sorted((repo / "workflow" / "rules").glob("*.smk")):
        for block in re.split(r"\n\s*(?:rule|checkpoint)\b", smk.read_text())[1:]:
            name = block.split(":", 1)[0].strip() or re.search(r'name:\s*\n\s*f?"([^"]+)"', block).group(1)
            yield smk, name, block


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
