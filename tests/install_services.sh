#!/usr/bin/env bash
# Install the services the tests use, from Debian: GAVO DaCHS (a real IVOA TAP server, on the
# Debian PostgreSQL), STILTS (votlint) and Chromium with its chromedriver (the candidate browser,
# driven by selenium) and a one-node SLURM cluster's daemons (slurm-wlm, munge: the SLURM
# profile test starts its own cluster from them, tests/slurm_service.py). Idempotent. Where it cannot install (no root, no
# apt-get) it says so and exits 0: those tests are then skipped with that reason (or fail, with
# SYMFIND_REQUIRE_TEST_SERVICES=1, as .ci/run sets).
set -u
if command -v dachs >/dev/null 2>&1 && command -v stilts >/dev/null 2>&1 \
   && command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 \
   && command -v slurmctld >/dev/null 2>&1 && command -v slurmd >/dev/null 2>&1 && command -v munged >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "symfind: GAVO DaCHS / STILTS / Chromium / SLURM are not installed and cannot be installed here (needs root" \
       "and apt-get); the TAP server, votlint, browser and SLURM cluster tests will be skipped" >&2
  exit 0
fi
start_postgres() {
  if command -v pg_lsclusters >/dev/null 2>&1; then
    pg_lsclusters --no-header | while read -r version cluster _; do
      pg_ctlcluster "$version" "$cluster" start 2>/dev/null || true
    done
  fi
}
echo "symfind: installing the test services (apt-get install gavodachs2-server stilts chromium chromium-driver slurm-wlm munge)" >&2
start_postgres  # the package's set-up needs a running PostgreSQL
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gavodachs2-server stilts chromium chromium-driver slurm-wlm munge >/dev/null 2>&1 || true
start_postgres
dpkg --configure -a >/dev/null 2>&1 || true
command -v dachs >/dev/null 2>&1 || echo "symfind: GAVO DaCHS installation failed; the TAP server tests will be skipped" >&2
command -v stilts >/dev/null 2>&1 || echo "symfind: STILTS installation failed; the votlint test will be skipped" >&2
command -v chromedriver >/dev/null 2>&1 || echo "symfind: Chromium installation failed; the browser test will be skipped" >&2
command -v slurmctld >/dev/null 2>&1 && command -v munged >/dev/null 2>&1 \
  || echo "symfind: SLURM / munge installation failed; the SLURM cluster test will be skipped" >&2
exit 0
