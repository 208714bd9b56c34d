#!/bin/bash
# Benchmark (not a test): `iptsim trace --host FILE` with a host of N routes
# (bench/gen_routes.py: a BGP-table-shaped main table), in the native format
# and as `ip -j` JSON, one forwarded packet, against an earlier build in the
# same run: time and peak memory.  Loading the host dominates.
#   bench/bench_routes.sh [IPTSIM] [PREVIOUS_IPTSIM] [N...]
#     (default build/iptsim, no earlier build ("-" in its column: give one
#     built from an older commit, e.g. in a git worktree), 100000 1000000)
#   PREVIOUS_TIMEOUT=SECONDS   stops the earlier build after this long
#                              (default 300; "> SECONDS" is reported)
set -euo pipefail
cd "$(dirname "$0")/.."
iptsim=${1:-build/iptsim}
previous=${2:-}
shift 2 || shift $#
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(100000 1000000)
limit=${PREVIOUS_TIMEOUT:-300}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n' >"$tmp/rules.v4"
# A forwarded packet: its destination is in one of the generated prefixes.
packet=(-i eth0 --mac-dst 02:00:00:00:00:01 -s 10.0.5.5 -d 30.47.224.9 -p tcp --dport 80)
measure() {  # measure BIN HOST: "SECONDS s, MB MB" (or "> LIMIT s")
  if timeout "$limit" /usr/bin/time -f "%e %M" -o "$tmp/time" \
      "$1" trace --host "$2" "$tmp/rules.v4" "${packet[@]}" >"$tmp/out" 2>"$tmp/err"; then
    local t m
    read -r t m < <(tail -1 "$tmp/time")
    printf '%s s, %s MB' "$t" "$((m / 1024))"
  else
    printf '> %s s' "$limit"
  fi
}
echo "| routes | format | file | $iptsim | ${previous:-(no earlier build)} |"
echo "|---|---|---|---|---|"
for n in "${sizes[@]}"; do
  for fmt in native json; do
    python3 bench/gen_routes.py "$n" "$fmt" >"$tmp/host.$fmt"
    size=$(($(stat -c %s "$tmp/host.$fmt") / 1048576))
    now=$(measure "$iptsim" "$tmp/host.$fmt")
    before=$([ -x "$previous" ] && measure "$previous" "$tmp/host.$fmt" || echo "-")
    echo "| $n | $fmt | $size MB | $now | $before |"
  done
done
