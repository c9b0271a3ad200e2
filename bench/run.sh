#!/usr/bin/env bash
# Wharf vs CNCF distribution (Debian's docker-registry), side by side in one run.
# `make bench` calls this. See bench/README.md.
#
#   bench/run.sh                       full run: 3 rounds, 1 GiB blobs, ~15-20 minutes
#   BENCH_QUICK=1 bench/run.sh         smoke run: 1 round, 64 MiB blobs, ~2 minutes
#
# Environment (all optional):
#   WHARF_BIN        wharf binary (default build/wharf of this checkout; if absent and unset: wharf is n/a)
#   BENCH_ROUNDS     rounds, A B A B ... (default 3; quick 1)
#   BENCH_BLOB_MB    blob size in MiB for push/pull (default 1024; quick 64)
#   BENCH_QUICK=1    small sizes and short durations
#   BENCH_WRK_SECONDS / BENCH_WRK_SECONDS_C1 / BENCH_PUT_SECONDS   load durations (8 / 4 / 10)
#   BENCH_TAGS       tags in the tags/list repository (default 10000; quick 2000)
#   BENCH_TMPDIR     where data goes (default: $TMPDIR or /tmp); needs ~ 2 x rounds x 3 x blob size free
#   BENCH_RESULTS    raw samples as JSON (default /tmp/wharf-bench-<time>.json)
#   BENCH_KEEP=1     keep the work directory (server data, logs)
#   BENCH_SELFTEST=1 run docker-registry in the wharf slot too (to validate the harness)
# Exit status: 0 ok, 1 Wharf had errors (all errors are printed loudly), 2 setup problem, 130 interrupted.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

for cmd in g++ wrk openssl taskset python3 docker-registry; do
    if ! command -v "$cmd" >/dev/null 2>&1; then
        echo "bench: '$cmd' is missing (scripts/install-deps.sh bench installs what the bench needs)" >&2
        exit 2
    fi
done
if [ "$(nproc)" -lt 2 ]; then
    echo "bench: warning: fewer than 2 cores; servers and load generators will share core 0" >&2
fi

tools="$(mktemp -d "${TMPDIR:-/tmp}/wharf-bench-tools.XXXXXX")"
child=""
cleanup() {
    if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
        kill -TERM "$child" 2>/dev/null || true
        wait "$child" 2>/dev/null || true
    fi
    rm -rf "$tools"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# The ceilings' tools and the HEAD load generator: small, built here with no project code.
cxx=(g++ -O2 -std=c++20 -Wall -Wextra)
"${cxx[@]}" -o "$tools/ideal_push" "$here/ideal_push.cpp" -lcrypto &
"${cxx[@]}" -o "$tools/zero_http" "$here/zero_http.cpp" &
"${cxx[@]}" -o "$tools/loadgen" "$here/loadgen.cpp" &
for job in $(jobs -p); do wait "$job"; done

export BENCH_TOOLS="$tools"
# The driver forwards nothing to a shell: it starts, pins and kills every process itself.
python3 "$here/bench.py" &
child=$!
set +e
wait "$child"
rc=$?
# wait returns early when a trapped signal arrives; the trap then exits and cleanup stops the driver
while kill -0 "$child" 2>/dev/null; do
    wait "$child"
    rc=$?
done
set -e
child=""
exit "$rc"
