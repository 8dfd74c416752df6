#!/usr/bin/env bash
# Serve a sample sky on a local GAVO DaCHS TAP server (http://localhost:8080/tap):
#   tests/dachs/serve.sh SAMPLE_DIR
# Starts PostgreSQL, writes the resource descriptors and CSV sources into DaCHS's inputs folder,
# imports them (dachs imp) and (re)starts the server on loopback. Exits non-zero, saying why,
# when any step fails.
set -euo pipefail
sample_dir=$1
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-python3}
inputs=$(dachs config inputsDir 2>/dev/null || echo /var/gavo/inputs)
pg_lsclusters --no-header | while read -r version cluster _; do
  pg_ctlcluster "$version" "$cluster" start 2>/dev/null || true
done
"$python" "$here/build_rds.py" --rd-dir "$inputs" --sample "$sample_dir"
for schema in dr2 ext external; do
  (cd "$inputs/$schema" && dachs imp q >/dev/null)
done
dachs serve stop >/dev/null 2>&1 || true
dachs serve start >/dev/null
for _ in $(seq 1 60); do
  if "$python" -c "import urllib.request,sys; urllib.request.urlopen('http://localhost:8080/tap/availability', timeout=2)" 2>/dev/null; then
    exit 0
  fi
  sleep 1
done
echo "DaCHS did not answer on http://localhost:8080/tap within 60 s" >&2
exit 1
