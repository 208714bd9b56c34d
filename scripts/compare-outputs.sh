#!/bin/bash
# Byte-for-byte comparison of two iptsim binaries over the whole corpus: a
# refactor or a speed-up must not change one byte of what users see.
#
# For every ruleset the repository keeps (real-tool rulesets, reference
# rulesets, iptables' dumps, examples, every scenario's rules): `check`,
# `save`, `save -c`.  For every scenario of corpus/scenarios: `trace` of all
# its packets in one run with its lab as --host, in every output format
# (kernel, --trace-all, explain, json, nft).  For the real-tool rulesets: a
# handful of everyday packets with --trace-all --format explain.  Each case's
# stdout, stderr and exit status are compared.
#
# usage: scripts/compare-outputs.sh OLD_IPTSIM NEW_IPTSIM [OUTDIR]
#   prints one line per differing case and a summary; exit 0 when all agree.
set -u
old=$1
new=$2
out=${3:-$(mktemp -d)}
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out/old" "$out/new" "$out/host"

cases=0
differ=0

# run_case NAME ARGS...: runs both binaries with ARGS, compares.
run_case() {
  local name=$1
  shift
  local side bin
  for side in old new; do
    [ "$side" = old ] && bin=$old || bin=$new
    "$bin" "$@" >"$out/$side/$name.out" 2>"$out/$side/$name.err" </dev/null
    echo "exit $?" >>"$out/$side/$name.err"
  done
  cases=$((cases + 1))
  if ! cmp -s "$out/old/$name.out" "$out/new/$name.out" ||
     ! cmp -s "$out/old/$name.err" "$out/new/$name.err"; then
    differ=$((differ + 1))
    echo "DIFFERS $name: $*"
  fi
}

rulesets=()
for f in "$src"/corpus/rulesets/*.v4 "$src"/corpus/rulesets/*.v6 \
         "$src"/corpus/reference/rulesets/* "$src"/corpus/iptables-tests/dumps/* \
         "$src"/corpus/examples/*.v4 "$src"/corpus/scenarios/*/rules; do
  [ -f "$f" ] && rulesets+=("$f")
done
for f in "${rulesets[@]}"; do
  key=$(echo "${f#$src/}" | tr '/' '_')
  run_case "check_$key" check "$f"
  run_case "save_$key" save "$f"
  run_case "savec_$key" save -c "$f"
done

# scenario_args
. "$src/tests/scenario_lib.sh"
for dir in "$src"/corpus/scenarios/*/; do
  [ -f "$dir/rules" ] || continue
  name=$(basename "$dir")
  scenario_args "$dir"
  host=$out/host/$name
  "$src/tests/scenario_host.sh" "$dir" >"$host"
  base=(--host "$host" --packet-headers "${scenario_extra[@]}" --packets "$dir/packets")
  run_case "trace_$name" trace "${base[@]}" "$dir/rules"
  run_case "traceall_$name" trace --trace-all "${base[@]}" "$dir/rules"
  for fmt in explain json nft; do
    run_case "trace${fmt}_$name" trace --format "$fmt" --trace-all "${base[@]}" "$dir/rules"
  done
done

# Everyday questions on the real-tool rulesets.
packets=(-i eth0 -p tcp --dport 22 --syn -- -i eth0 -p udp --dport 53 --
         -i eth0 -p icmp --icmp-type echo-request -- -i eth0 -o eth1 -p tcp --dport 80 --syn --
         -o eth0 -p tcp --dport 443 --syn)
packets6=(-i eth0 -p tcp --dport 22 --syn -- -i eth0 -p udp --dport 53 --
          -i eth0 -p ipv6-icmp --icmpv6-type echo-request -- -i eth0 -o eth1 -p tcp --dport 80 --syn --
          -o eth0 -p tcp --dport 443 --syn)
for f in "$src"/corpus/rulesets/*.v4 "$src"/corpus/rulesets/*.v6; do
  key=$(basename "$f")
  if [ "${f%.v6}" != "$f" ]; then p=("${packets6[@]}"); else p=("${packets[@]}"); fi
  run_case "realworld_$key" trace --trace-all --format explain --packet-headers "$f" "${p[@]}"
  run_case "realworldk_$key" trace --trace-all "$f" "${p[@]}"
done

echo "compare-outputs: $cases cases, $differ differ (outputs in $out)"
[ $differ -eq 0 ]
