"""A hermetic one-node SLURM cluster for the tests: its own munge daemon, configuration, state,
spool and log folders and loopback ports, started and stopped by the test that needs it, so it
never meets the machine's own SLURM (or another suite's).

- munge: ``munged --foreground`` with a fresh key, socket, pid, log and seed file in the
  cluster's folder (``--force``: it runs as root, as the test does).
- SLURM (Debian's ``slurm-wlm``): a ``slurm.conf`` in the cluster's folder, named by
  ``SLURM_CONF`` for every tool, with ``SlurmctldHost=<host>(127.0.0.1)``, free ``SlurmctldPort``
  and ``SlurmdPort``, ``AuthInfo`` pointing at the private munge socket, no accounting
  (``accounting_storage/none``; the profile polls with ``squeue``) and a job completion log
  (``jobcomp/filetxt``): one line per finished job with its state and the CPUs and memory SLURM
  gave it (``Tres=cpu=..,mem=..``). ``slurmctld -D`` and ``slurmd -D`` run as child processes.
- The executor plugin's job step (``snakemake-executor-plugin-slurm-jobstep``) clears every
  ``SLURM_*`` variable, ``SLURM_CONF`` too, before its inner ``srun``; a real cluster reads
  ``/etc/slurm/slurm.conf`` and does not notice, this one would. :attr:`SlurmCluster.env` puts a
  one-line ``srun`` first on ``PATH`` that sets ``SLURM_CONF`` again.

Nothing outside the cluster's folder is written; :meth:`SlurmCluster.stop` ends the daemons and
removes it.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from dachs_service import free_port  # the one free-port probe of the test services

#: The node's size as the tests' cluster declares it (``SlurmdParameters=config_overrides``: the
#: declared size is used whatever the machine has; nothing enforces it without cgroups). 2 CPUs
#: like ``--cores 2`` locally; memory enough for the profile's largest request (16,000 MB).
NODE_CPUS = 2
NODE_MEMORY_MB = 32000

#: Programs the cluster needs (Debian: slurm-wlm, munge).
PROGRAMS = ("munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "srun", "scancel")


class SlurmUnavailable(RuntimeError):
    """SLURM or munge is missing, or a step of the set-up failed (the message says which)."""


class SlurmCluster:
    """One hermetic single-node SLURM cluster; :attr:`env` is the environment to submit with."""

    def __init__(self, name: str = "symfind") -> None:
        missing = [program for program in PROGRAMS if shutil.which(program) is None]
        if missing:
            raise SlurmUnavailable(f"{', '.join(missing)} not installed (run `make test` as root, or "
                                   "apt-get install slurm-wlm munge)")
        if os.getuid() != 0:
            raise SlurmUnavailable("the test cluster's daemons run as root (slurmd starts every job's processes)")
        self.name = name
        self.host = socket.gethostname().split(".")[0]
        self.root = Path(tempfile.mkdtemp(prefix=f"{name}-slurm-"))
        self.conf = self.root / "slurm.conf"
        self.jobcomp = self.root / "log" / "jobcomp.txt"
        self.munge_socket = self.root / "munge" / "munge.sock"
        self.processes: list[tuple[str, subprocess.Popen]] = []
        path = f"{self.root / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
        self.env = {**os.environ, "SLURM_CONF": str(self.conf), "PATH": path}

    # -- steps ----------------------------------------------------------------------------------

    def _daemon(self, what: str, cmd: list[str]) -> None:
        with open(self.root / "log" / f"{what}.out", "w") as log:  # the child keeps its own descriptor
            process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=self.env, cwd=self.root,
                                       start_new_session=True)
        self.processes.append((what, process))

    def _wait(self, what: str, ready, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, process in self.processes:
                if process.poll() is not None:
                    raise SlurmUnavailable(f"{name} exited with {process.returncode} while waiting for {what}: "
                                           f"{self._tail(name)}")
            if ready():
                return
            time.sleep(0.25)
        raise SlurmUnavailable(f"timed out after {timeout:.0f} s waiting for {what}")

    def _tail(self, name: str) -> str:
        parts = []
        for path in (self.root / "log" / f"{name}.out", self.root / "log" / f"{name}.log"):
            if path.exists():
                parts.append(path.read_text(errors="replace")[-1500:])
        return " | ".join(parts) or "(no log)"

    def _start_munge(self) -> None:
        folder = self.munge_socket.parent
        folder.mkdir(mode=0o700)
        key = folder / "munge.key"
        key.write_bytes(os.urandom(1024))
        key.chmod(0o400)
        self._daemon("munged", ["munged", "--foreground", "--force", f"--socket={self.munge_socket}",
                                f"--key-file={key}", f"--pid-file={folder / 'munged.pid'}",
                                f"--log-file={self.root / 'log' / 'munged.log'}", f"--seed-file={folder / 'munged.seed'}"])
        self._wait("munged's socket", self.munge_socket.exists, 20)

    def _write_conf(self) -> None:
        for folder in ("state", "spool", "bin"):
            (self.root / folder).mkdir()
        conf = {
            "ClusterName": self.name.replace("-", "")[:30] or "symfind",
            "SlurmctldHost": f"{self.host}(127.0.0.1)",
            "SlurmctldPort": free_port(),
            "SlurmdPort": free_port(),
            "SlurmUser": "root",
            "AuthType": "auth/munge",
            "AuthInfo": f"socket={self.munge_socket}",
            "CredType": "cred/munge",
            "StateSaveLocation": self.root / "state",
            "SlurmdSpoolDir": self.root / "spool",
            "SlurmctldPidFile": self.root / "slurmctld.pid",
            "SlurmdPidFile": self.root / "slurmd.pid",
            "SlurmctldLogFile": self.root / "log" / "slurmctld.log",
            "SlurmdLogFile": self.root / "log" / "slurmd.log",
            "SlurmdParameters": "config_overrides",
            "ProctrackType": "proctrack/linuxproc",
            "TaskPlugin": "task/none",
            "SelectType": "select/cons_tres",
            "SelectTypeParameters": "CR_Core_Memory",
            "MpiDefault": "none",
            "JobAcctGatherType": "jobacct_gather/none",
            "AccountingStorageType": "accounting_storage/none",
            "JobCompType": "jobcomp/filetxt",
            "JobCompLoc": self.jobcomp,
            "ReturnToService": 2,
            "SchedulerParameters": "sched_interval=1",
        }
        lines = [f"{key}={value}" for key, value in conf.items()]
        lines.append(f"NodeName={self.host} NodeAddr=127.0.0.1 CPUs={NODE_CPUS} RealMemory={NODE_MEMORY_MB} State=UNKNOWN")
        lines.append(f"PartitionName=debug Nodes={self.host} Default=YES MaxTime=INFINITE State=UP")
        self.conf.write_text("\n".join(lines) + "\n")
        shim = self.root / "bin" / "srun"
        shim.write_text(f"#!/bin/sh\nSLURM_CONF={self.conf} exec {shutil.which('srun')} \"$@\"\n")
        shim.chmod(0o755)

    def _node_idle(self) -> bool:
        result = subprocess.run(["sinfo", "--noheader", "--format=%t"], check=False, capture_output=True, text=True, env=self.env)
        return result.returncode == 0 and result.stdout.strip() == "idle"

    def start(self) -> SlurmCluster:
        """Start munged, slurmctld and slurmd; return once the node takes jobs. On a failure the
        cluster is stopped and :class:`SlurmUnavailable` says which step failed."""
        try:
            (self.root / "log").mkdir()
            self._start_munge()
            self._write_conf()
            self._daemon("slurmctld", ["slurmctld", "-D", "-c", "-f", str(self.conf)])
            self._daemon("slurmd", ["slurmd", "-D", "-N", self.host, "-f", str(self.conf)])
            self._wait("the node to be idle (sinfo)", self._node_idle, 60)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Cancel what is left, end the daemons (slurmd first) and remove the cluster's folder."""
        if any(name == "slurmctld" and process.poll() is None for name, process in self.processes):
            subprocess.run(["scancel", "--full", "--partition=debug"], check=False, capture_output=True, env=self.env, timeout=30)
        for name, process in reversed(self.processes):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(timeout=20)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    try:
                        os.killpg(process.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    process.wait(timeout=10)
        self.processes.clear()
        shutil.rmtree(self.root, ignore_errors=True)

    # -- what the cluster saw -------------------------------------------------------------------

    def finished_jobs(self) -> dict[int, dict[str, str]]:
        """The job completion log: job id -> its fields (``JobState``, ``Name``, ``ProcCnt``,
        ``Tres`` ...), plus ``cpus`` and ``mem_mb`` taken from ``Tres`` (what SLURM allocated)."""
        jobs = {}
        if not self.jobcomp.exists():
            return jobs
        for line in self.jobcomp.read_text().splitlines():
            fields = dict(re.findall(r"(\w+)=(\S*)", line))
            if "JobId" not in fields:
                continue
            tres = dict(item.split("=", 1) for item in fields.get("Tres", "").split(",") if "=" in item)
            fields["cpus"] = tres.get("cpu", "")
            memory = tres.get("mem", "")
            scale = {"K": 1 / 1024, "M": 1, "G": 1024, "T": 1024 * 1024}.get(memory[-1:], 1) if memory else 0
            fields["mem_mb"] = str(round(float(memory.rstrip("KMGT")) * scale)) if memory else ""
            jobs[int(fields["JobId"])] = fields
        return jobs

    def jobcomp_text(self) -> str:
        return self.jobcomp.read_text() if self.jobcomp.exists() else ""
