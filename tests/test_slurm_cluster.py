"""The SLURM profile on a real SLURM cluster: a hermetic one-node cluster from Debian's slurm-wlm
and munge (tests/slurm_service.py) runs the tiny sky through ``--profile workflow/profiles/slurm``
as shipped. Every job must be its own SLURM job, given the CPUs of its rule's ``threads`` and the
memory of its ``resources`` (as the profile sets them), and the products must equal a local run's.

Skipped, saying why, where SLURM cannot run (not installed, not root); SYMFIND_REQUIRE_TEST_SERVICES=1
(set by .ci/run) turns that into a failure. SYMFIND_SLURM_EVIDENCE_DIR keeps the job completion
log and the per-job table.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pandas as pd
import yaml
from helpers import SNAKEMAKE, rule_blocks

#: A rule given more threads on the command line, as a user would (every rule declares 1).
MORE_THREADS = {"evaluate_ranking": 2}

#: The shipped config's memory.job_mb: what the rules that hold many objects (mem_mb=MEM_MB) ask for.
JOB_MB = int(yaml.safe_load((Path(__file__).parents[1] / "config.yaml").read_text())["memory"]["job_mb"])

#: Products whose bytes carry the date they were written (compared without it).
DATED = (".fits", ".vot", ".html")


def declared_resources(repo: Path, job_mb: int = JOB_MB) -> dict[str, tuple[int, int | None]]:
    """Rule -> (``threads``, ``mem_mb``) as the workflow's rule files declare them (1 thread where a
    rule declares none; ``None`` where it declares no memory; ``job_mb`` where it declares the
    configured memory, ``mem_mb=MEM_MB``). A rule made in a loop (``name: f"gather_{product}"``)
    is keyed by its name's fixed start (``gather_``)."""
    declared = {}
    for _, name, block in rule_blocks(repo):
        threads = re.search(r"\n\s*threads: (\d+)", block)
        memory = re.search(r"\n\s*mem_mb=(\d+|MEM_MB),", block)
        mem_mb = None if not memory else job_mb if memory.group(1) == "MEM_MB" else int(memory.group(1))
        declared[name.split("{", 1)[0]] = (int(threads.group(1)) if threads else 1, mem_mb)
    assert sum(mem == job_mb for _, mem in declared.values()) >= 5, "the rules that hold many objects ask for memory.job_mb"
    return declared


def expected_for(rule: str, declared: dict, profile: dict) -> tuple[int, int]:
    """(CPUs, memory in MB) a job of ``rule`` should get: the declared threads unless
    :data:`MORE_THREADS` sets them, and ``mem_mb`` from the profile's ``set-resources`` for the
    rule, else the rule's own (:func:`declared_resources`), else the profile's ``default-resources``."""
    key = rule if rule in declared else max((k for k in declared if rule.startswith(k)), key=len)
    threads, mem_mb = declared[key]
    mem_mb = profile.get("set-resources", {}).get(rule, {}).get("mem_mb") or mem_mb or profile["default-resources"]["mem_mb"]
    return MORE_THREADS.get(rule, threads), int(mem_mb)


def slurm_job_rules(workdir: Path) -> dict[int, str]:
    """SLURM job id -> rule, from the plugin's kept logs (``.snakemake/slurm_logs/rule_<rule>/[wildcards/]<job id>.log``)."""
    found = {}
    for log in (workdir / ".snakemake" / "slurm_logs").rglob("*.log"):
        rule_folder = next(part for part in log.relative_to(workdir / ".snakemake" / "slurm_logs").parts if part.startswith("rule_"))
        found[int(log.stem)] = rule_folder.removeprefix("rule_")
    return found


def local_jobs(results: Path) -> dict[str, int]:
    """Rule -> number of jobs of a finished run, from its benchmark files (one per job)."""
    counts: dict[str, int] = {}
    for bench in (results / "benchmarks").rglob("*.tsv"):
        rule = bench.relative_to(results / "benchmarks").parts[0].removesuffix(".tsv")
        counts[rule] = counts.get(rule, 0) + 1
    return counts


def compared_products(results: Path) -> list[Path]:
    """Every product of a run (relative paths), logs and benchmarks aside."""
    return sorted(p.relative_to(results) for p in results.rglob("*")
                  if p.is_file() and p.relative_to(results).parts[0] not in ("logs", "benchmarks"))


def without_dates(path: Path) -> bytes:
    """A dated product's bytes with its ISO dates (and FITS DATE card) blanked."""
    if path.suffix == ".fits":
        from astropy.io import fits

        with fits.open(path) as hdus:
            return b"".join(hdu.data.tobytes() if hdu.data is not None else b"" for hdu in hdus) + b"".join(
                repr([(k, v) for k, v in hdu.header.items() if k != "DATE"]).encode() for hdu in hdus)
    return re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?", b"<date>", path.read_bytes())


def test_the_sky_runs_through_the_slurm_profile_one_job_per_rule_with_its_cpus_and_memory(
        repo, finished_run, slurm_cluster, tmp_path):
    local_workdir, _ = finished_run
    workdir = tmp_path / "slurm_run"
    workdir.mkdir()
    shutil.copy(local_workdir / "test_config.yaml", workdir / "test_config.yaml")  # the local run's settings
    profile_dir = repo / "workflow" / "profiles" / "slurm"
    profile = yaml.safe_load((profile_dir / "config.yaml").read_text())
    cmd = [*SNAKEMAKE, "--snakefile", str(repo / "Snakefile"), "--directory", str(workdir),
           "--profile", str(profile_dir), "--workflow-profile", "none", "--configfile", "test_config.yaml",
           "--set-threads", *[f"{rule}={n}" for rule, n in MORE_THREADS.items()], "--slurm-keep-successful-logs"]
    started = time.monotonic()
    result = subprocess.run(cmd, check=False, cwd=workdir, env={**slurm_cluster.env, "PYTHONUNBUFFERED": "1"},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=1500)
    wall = time.monotonic() - started
    assert result.returncode == 0, result.stdout[-6000:] + "\n--- slurmctld ---\n" + slurm_cluster._tail("slurmctld")

    # every job of the workflow was a SLURM job of its own, and finished without a retry
    job_rules = slurm_job_rules(workdir)
    finished = slurm_cluster.finished_jobs()
    states = {job: finished.get(job, {}).get("JobState", "not in the job completion log") for job in job_rules}
    assert set(states.values()) == {"COMPLETED"}, states
    assert len(finished) == len(job_rules), "SLURM ran jobs that have no kept log (a retried or foreign job)"
    per_rule = pd.Series(list(job_rules.values())).value_counts().to_dict()
    assert per_rule == local_jobs(local_workdir / "results")

    # each with the CPUs of its rule's threads and the memory of its resources
    declared = declared_resources(repo)
    table = pd.DataFrame([{"job": job, "rule": rule, "state": finished[job]["JobState"],
                           "cpus": int(finished[job]["cpus"]), "mem_mb": int(finished[job]["mem_mb"]),
                           **dict(zip(("expected_cpus", "expected_mem_mb"), expected_for(rule, declared, profile)))}
                          for job, rule in sorted(job_rules.items())])
    evidence = os.environ.get("SYMFIND_SLURM_EVIDENCE_DIR")
    if evidence:
        Path(evidence).mkdir(parents=True, exist_ok=True)
        table.to_csv(Path(evidence) / "slurm_jobs.csv", index=False)
        (Path(evidence) / "jobcomp.txt").write_text(slurm_cluster.jobcomp_text())
        (Path(evidence) / "wall_seconds.txt").write_text(f"{wall:.1f}\n")
        (Path(evidence) / "snakemake.out").write_text(result.stdout)
    wrong = table[(table["cpus"] != table["expected_cpus"]) | (table["mem_mb"] != table["expected_mem_mb"])]
    assert wrong.empty, wrong.to_string()
    by_rule = table.groupby("rule")[["cpus", "mem_mb"]].max()
    assert by_rule.loc["evaluate_ranking", "cpus"] == 2          # --set-threads reaches SLURM
    assert by_rule.loc["train_vae", "mem_mb"] == 16000           # the profile's set-resources
    assert by_rule.loc["weighted_colours", "mem_mb"] == 8000     # the rule's own resources
    assert by_rule.loc["summary", "mem_mb"] == 4000              # the profile's default
    assert by_rule.loc["score_objects", "mem_mb"] == JOB_MB      # config memory.job_mb
    assert (by_rule.drop("evaluate_ranking")["cpus"] == 1).all()

    # the same products as the local run
    local_results, slurm_results = local_workdir / "results", workdir / "results"
    products = compared_products(local_results)
    assert products == compared_products(slurm_results)
    differ = [str(p) for p in products if
              (without_dates(local_results / p) != without_dates(slurm_results / p) if p.suffix in DATED
               else (local_results / p).read_bytes() != (slurm_results / p).read_bytes())]
    assert not differ, f"products that differ from the local run's: {differ}"
    print(f"SLURM run: {len(job_rules)} jobs in {wall:.0f} s")
