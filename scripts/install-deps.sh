#!/usr/bin/env bash
# Installs, from Debian 12's packages, whatever Wharf needs that is missing.
# Idempotent: asks apt only for packages dpkg does not already report installed.
#   scripts/install-deps.sh build   libraries and tools to build wharf
#   scripts/install-deps.sh test    build + the real clients and servers the tests drive, and the
#                                   AWS SDK for JavaScript of tests/e2e/js (npm ci from its lock)
#   scripts/install-deps.sh bench   test + the reference registry and load generators
set -euo pipefail

build_pkgs=(
    cmake ninja-build g++ pkg-config
    libboost1.81-dev libssl-dev libsqlite3-dev
    nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev
    libgtest-dev libgmock-dev libbenchmark-dev
    libarchive-dev libyaml-cpp-dev zlib1g-dev
)
test_pkgs=(
    clang libclang-rt-14-dev
    python3 python3-pytest python3-requests curl
    skopeo buildah podman containerd runc busybox-static
    awscli python3-boto3 sqlite3
    golang-go librpm-dev python3-yaml xz-utils
    rpm db5.3-util
)
bench_pkgs=(docker-registry wrk openssl)

js=0
case "${1:-build}" in
build) want=("${build_pkgs[@]}") ;;
test) want=("${build_pkgs[@]}" "${test_pkgs[@]}"); js=1 ;;
bench) want=("${build_pkgs[@]}" "${test_pkgs[@]}" "${bench_pkgs[@]}"); js=1 ;;
*) echo "usage: $0 build|test|bench" >&2; exit 2 ;;
esac

install_apt() {
    local missing=() p
    for p in "${want[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$p")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0

    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # docker-registry's package starts a system service on :5000, the port `make serve` uses;
    # the benchmarks start their own copy on a port of their choosing.
    if [[ " ${missing[*]} " == *" docker-registry "* ]] && command -v systemctl >/dev/null; then
        "${sudo[@]}" systemctl disable --now docker-registry >/dev/null 2>&1 || true
    fi
}

# The e2e tests drive ECR's 2024-2026 APIs with the current AWS SDK for JavaScript v3, which
# Debian does not package (tests/e2e/js/package-lock.json pins it). node and npm come from the
# machine (not Debian's packages here). `npm ci` runs only when node_modules is missing or older
# than the lock; npm writes node_modules/.package-lock.json last, so it dates a complete install.
install_js() {
    local dir stamp
    dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/e2e/js"
    stamp="$dir/node_modules/.package-lock.json"
    if [ -f "$stamp" ] && ! [ "$dir/package-lock.json" -nt "$stamp" ]; then
        return 0
    fi
    if ! command -v npm >/dev/null; then
        echo "$0: npm not found on PATH; the JS SDK tests (tests/e2e/test_ecr_js.py) need node" \
            ">= 18 and npm to install $dir/package-lock.json" >&2
        exit 1
    fi
    echo "installing: npm packages of tests/e2e/js (npm ci)"
    if ! npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >/dev/null; then
        rm -rf "$dir/node_modules"  # no half install that looks newer than the lock
        echo "$0: npm ci --prefix $dir failed" >&2
        exit 1
    fi
    touch "$stamp"
}

install_apt
if [ "$js" -eq 1 ]; then install_js; fi
