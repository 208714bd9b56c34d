#!/bin/bash
# Installs every Debian 12 package iptsim's build, tests, fuzzers and
# benchmarks need, then configures and builds (build/ by default).
# Idempotent: packages already present are not touched; a second run only
# rebuilds what changed.
#   scripts/setup.sh [BUILD_DIR] [extra cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true

packages=(
  g++ cmake ninja-build pkg-config
  libboost-dev libpugixml-dev libre2-dev libyaml-cpp-dev catch2
  libbdd-dev                             # BuDDy: the symbolic evaluation of diff and query
  clang-14 libclang-rt-14-dev            # libFuzzer and sanitizers
  iptables iproute2 ipset                # the kernel side: verifier, differential tests, benchmarks
  python3 time                           # generators, /usr/bin/time for peak memory
  python3-junitparser                    # reads iptsim test --junit back (ctest cli-test-command)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
ninja -C "$build"
