#!/usr/bin/env bash
# Installs, from Debian 12's packages, whatever Wharf needs that is missing.
# Idempotent: asks apt only for packages dpkg does not already report installed.
#   scripts/install-deps.sh build   libraries and tools to build wharf
#   scripts/install-deps.sh test    build + the real clients and servers the tests drive
#   scripts/install-deps.sh bench   test + the reference registry and load generators
set -euo pipefail

build_pkgs=(
    cmake ninja-build g++ pkg-config
    libboost1.81-dev libssl-dev libsqlite3-dev
    nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev
    libgtest-dev libgmock-dev libbenchmark-dev
)
test_pkgs=(
    clang libclang-rt-14-dev
    python3 python3-pytest python3-requests curl
    skopeo buildah podman containerd runc busybox-static
    awscli python3-boto3 sqlite3
)
bench_pkgs=(docker-registry wrk openssl)

case "${1:-build}" in
build) want=("${build_pkgs[@]}") ;;
test) want=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
bench) want=("${build_pkgs[@]}" "${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
*) echo "usage: $0 build|test|bench" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
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
