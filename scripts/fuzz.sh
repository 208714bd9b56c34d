#!/bin/bash
# Builds the libFuzzer targets (clang-14, ASan+UBSan) and runs each for
# SECONDS (default 600) on its seed corpus corpus/fuzz/<target>/.  New inputs
# go to a scratch directory, not into the repository.  Exits non-zero on a
# finding (crash, sanitizer report, timeout, save/reload mismatch).
#   scripts/fuzz.sh [SECONDS] [TARGET...]
# With FUZZ_RUNS=N set, each target instead runs exactly N inputs from a fixed
# seed (-seed=1): a deterministic smoke run, as CI uses, whose result does not
# depend on timing or luck.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(loader_fuzz packet_spec_fuzz log_packet_fuzz pcap_fuzz host_fuzz ipset_fuzz conntrack_fuzz test_spec_fuzz iptables_xml_fuzz log_scanner_fuzz)
# FUZZ_BUILD=DIR: an existing clang build configured with -DIPTSIM_FUZZ=ON
# (CI's sanitizer build, which also runs the tests); default build-fuzz.
build=${FUZZ_BUILD:-build-fuzz}
if [ -z "${FUZZ_BUILD:-}" ]; then
  CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DIPTSIM_FUZZ=ON -DIPTSIM_TESTS=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
ninja -C "$build" "${targets[@]}"
root=$PWD
for t in "${targets[@]}"; do
  seeds=$root/corpus/fuzz/${t%_fuzz}
  work=$(mktemp -d)
  mkdir -p "$work/new"
  echo "fuzz: $t (seeds: $seeds)"
  rc=0
  if [ -n "${FUZZ_RUNS:-}" ]; then
    limit=(-runs="$FUZZ_RUNS" -seed=1)
    echo "fuzz: deterministic run of $FUZZ_RUNS inputs (seed 1)"
  else
    limit=(-max_total_time="$secs")
    echo "fuzz: ${secs} s"
  fi
  (cd "$work" && "$root/$build/tests/fuzz/$t" "${limit[@]}" -timeout=10 \
     -rss_limit_mb=2048 -print_final_stats=1 "$work/new" "$seeds" >"$work/log" 2>&1) || rc=$?
  tail -15 "$work/log"
  if [ $rc -ne 0 ]; then
    echo "fuzz: $t FOUND A PROBLEM (exit $rc); reproducer and log kept in $work"
    exit 1
  fi
  rm -rf "$work"
done
