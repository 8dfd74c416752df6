"""A hermetic GAVO DaCHS TAP server for the tests: its own PostgreSQL cluster, root directory and
ports, started and stopped by the test that needs it, so two suites on one machine (or a suite and
a user's own DaCHS on port 8080) never meet.

- PostgreSQL: ``initdb`` into the instance's folder (as the ``postgres`` user, which PostgreSQL
  requires), listening on 127.0.0.1 at a free port with a socket in the instance's folder.
- DaCHS: a settings file named by ``GAVOSETTINGS`` (rootDir, serverPort, serverURL, bindAddress,
  no privilege drop), ``dachs init`` against that cluster, the sky's resource descriptors written
  by ``tests/dachs/build_rds.py`` into the instance's inputs folder and imported with ``dachs imp``,
  then ``dachs serve debug`` as a child process on a free loopback port.

Nothing outside the instance's folder is written; :meth:`DachsInstance.stop` ends both servers
and removes it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
PG_BIN = Path("/usr/lib/postgresql")


class DachsUnavailable(RuntimeError):
    """DaCHS or PostgreSQL is missing, or a step of the set-up failed (the message says which)."""


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _pg_bin(name: str) -> str:
    versions = sorted(PG_BIN.glob("*/bin/" + name), key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    if not versions:
        raise DachsUnavailable(f"PostgreSQL's {name} is not installed (apt-get install postgresql)")
    return str(versions[-1])


class DachsInstance:
    """One hermetic DaCHS server serving one sky; ``url`` is its TAP endpoint."""

    def __init__(self, name: str = "symfind", hard_maxrec: int | None = None) -> None:
        """``hard_maxrec``: the service's hard row limit (``[async]hardMAXREC``; the default
        limit is lowered to it where it is smaller); None: DaCHS's own limits (20,000 rows by
        default, 20,000,000 at most)."""
        self.hard_maxrec = hard_maxrec
        if shutil.which("dachs") is None:
            raise DachsUnavailable("GAVO DaCHS is not installed (run `make test` as root, or apt-get install gavodachs2-server)")
        if shutil.which("runuser") is None or os.getuid() != 0:
            raise DachsUnavailable("a private PostgreSQL cluster is started as the postgres user: needs root and runuser")
        # outside pytest's 0700 temporary folders: the postgres user must reach its data folder
        self.root = Path(tempfile.mkdtemp(prefix=f"{name}-dachs-"))
        self.root.chmod(0o755)
        self.pg_port, self.http_port = free_port(), free_port()
        self.url = f"http://localhost:{self.http_port}/tap"
        self.env = {**os.environ, "GAVOSETTINGS": str(self.root / "gavo.rc"), "GAVOCUSTOM": str(self.root / "custom")}
        self.server: subprocess.Popen | None = None
        self.pg_data = self.root / "pg"

    # -- steps ----------------------------------------------------------------------------------

    def _run(self, what: str, cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kwargs)
        if result.returncode != 0:
            raise DachsUnavailable(f"{what} failed ({' '.join(cmd[:3])} ...): {(result.stderr or result.stdout)[-1500:]}")
        return result

    def _as_postgres(self, what: str, *cmd: str) -> None:
        self._run(what, ["runuser", "-u", "postgres", "--", *cmd], cwd=self.root)

    def _start_postgres(self) -> None:
        self.pg_data.mkdir()
        shutil.chown(self.pg_data, "postgres", "postgres")
        self._as_postgres("initdb", _pg_bin("initdb"), "-D", str(self.pg_data), "-U", "postgres", "--auth=trust",
                          "--encoding=UTF8", "--no-instructions")
        options = f"-p {self.pg_port} -k {self.pg_data} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres("PostgreSQL start", _pg_bin("pg_ctl"), "-D", str(self.pg_data), "-l", str(self.pg_data / "server.log"),
                          "-o", options, "-w", "start")
        self._as_postgres("createdb", _pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres", "gavo")

    def _init_dachs(self) -> None:
        (self.root / "gavo.rc").write_text(
            "[general]\n"
            f"rootDir: {self.root / 'gavo'}\n"
            "[web]\n"
            f"serverPort: {self.http_port}\n"
            f"serverURL: http://localhost:{self.http_port}\n"
            "bindAddress: 127.0.0.1\n"
            "user: \n"  # no privilege drop: the instance's files belong to this process
            + ("" if self.hard_maxrec is None else
               f"[async]\nhardMAXREC: {self.hard_maxrec}\ndefaultMAXREC: {min(20000, self.hard_maxrec)}\n"),
            encoding="utf-8",
        )
        dsn = f"host=127.0.0.1 port={self.pg_port} user=postgres dbname=gavo"
        self._run("dachs init", ["dachs", "init", "-d", dsn], env=self.env, cwd=self.root)

    def _import(self, sample_dir: Path) -> None:
        inputs = self.root / "gavo" / "inputs"
        self._run("building the resource descriptors", [sys.executable, str(HERE / "dachs" / "build_rds.py"), "--rd-dir", str(inputs),
                                                        "--sample", str(sample_dir)], env=self.env)
        for schema in sorted(path.name for path in inputs.iterdir() if (path / "q.rd").exists()):
            self._run(f"dachs imp {schema}", ["dachs", "imp", "q"], env=self.env, cwd=inputs / schema)

    def _serve(self, wait_s: float = 90.0) -> None:
        log = open(self.root / "dachs-serve.log", "w", encoding="utf-8")  # noqa: SIM115 - closed with the process
        self.server = subprocess.Popen(["dachs", "serve", "debug"], env=self.env, cwd=self.root, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise DachsUnavailable(f"dachs serve exited: {(self.root / 'dachs-serve.log').read_text()[-1500:]}")
            try:
                urllib.request.urlopen(f"{self.url}/availability", timeout=2)
                return
            except OSError:
                time.sleep(0.5)
        raise DachsUnavailable(f"DaCHS did not answer on {self.url} within {wait_s:.0f} s")

    # -- life cycle -----------------------------------------------------------------------------

    def start(self, sample_dir: str | Path) -> DachsInstance:
        """Set up both servers and serve ``sample_dir``'s tables; on failure, clean up and raise."""
        try:
            self._start_postgres()
            self._init_dachs()
            self._import(Path(sample_dir))
            self._serve()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """End DaCHS and PostgreSQL and remove the instance's folder."""
        if self.server is not None and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.server.kill()
        if (self.pg_data / "postmaster.pid").exists():
            subprocess.run(["runuser", "-u", "postgres", "--", _pg_bin("pg_ctl"), "-D", str(self.pg_data), "-m", "immediate",
                            "-w", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)
