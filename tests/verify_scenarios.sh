#!/bin/bash
# The kernel differential scenarios (corpus/scenarios) through `iptsim
# verify`: for each scenario, the simulation and the real kernel run the
# packets live and must agree (exit 0).  Root only: otherwise a loud SKIP and
# exit 77 (ctest: skipped).
#
# Each scenario's host file (--host) is what tests/scenario_host.sh prints
# (the default lab of scripts/capture-differential.sh, d0/e0, unless
# nodefault, plus the scenario's `lab` directives), as tests/differential.sh
# uses it; the lab's settle MS becomes --settle, family 4|6 becomes -4/-6;
# the words of NAME/args, if present, are extra options (as
# tests/differential.sh reads them, e.g. --seed).
#
# Scenarios listed in corpus/scenarios/PENDING or KNOWN-DIFFERENCES are run
# and reported as PENDING / KNOWN (not failures); one of them that passes is
# reported loudly.  A scenario where the simulation stops on an extension
# iptsim does not simulate yet ("... is not simulated by iptsim yet", "... is
# not evaluated": verify exits 2, nothing can be compared) is reported as
# PENDING too, with that message; tests/differential.sh, which compares the
# lines printed before the stop, may pass it.
# A scenario whose ruleset draws at random (-m statistic --mode random) is
# run up to 20 times until it agrees (1 in 3 per run for 3 endpoints); if it
# never does it is reported as RANDOM, not as a failure: the kernel draws
# anew on each run (the `args` hold the seed that makes iptsim draw what the
# kernel drew when `expected` was captured), so it agrees only when the
# draws do.
#
# The settle time (quiet after a packet's last kernel line) is 60 ms here
# instead of verify's 150 ms, to keep the suite short; a scenario's `settle`
# directive still wins.
#
# usage: verify_scenarios.sh [--backend nft] [--list FILE] [-v] IPTSIM SOURCE_DIR [NAME...]
#   --backend nft  run with iptables-nft / xtables-monitor
#   --list FILE    the scenarios to run: the first word of each line of FILE
#                  ('#' comments); default: every scenario (or the NAMEs given)
#   --sample N     with --list: only every Nth scenario of FILE (1st, N+1th, ...)
#   -v             the whole diff of each failing scenario
set -u
backend=legacy
list=""
sample=1
verbose=0
while [ $# -gt 0 ]; do
  case "$1" in
    --backend) backend=$2; shift 2 ;;
    --list) list=$2; shift 2 ;;
    --sample) sample=$2; shift 2 ;;
    -v) verbose=1; shift ;;
    *) break ;;
  esac
done
iptsim=$1
src=$2
shift 2
corpus=$src/corpus/scenarios
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

skip() {
  echo "*** SKIP: verify-scenarios ($backend): $1 ***"
  exit 77
}
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, /dev/kmsg); iptsim verify refuses without"

# listed, report_listed, scenario_args.
. "$(dirname "$0")/scenario_lib.sh"

if [ $# -eq 0 ]; then
  if [ -n "$list" ]; then
    set -- $(awk -v n="$sample" '!/^[ \t]*#/ && NF { if (k++ % n == 0) print $1 }' "$list")
  else
    set -- $(cd "$corpus" && for d in */; do [ -f "$d/rules" ] && echo "${d%/}"; done)
  fi
fi

pass=0
fail=0
pending=0
known=0
unexpected=0
random=0
start=$(date +%s.%N)
for name in "$@"; do
  dir=$corpus/$name
  if [ ! -f "$dir/rules" ] || [ ! -f "$dir/packets" ]; then
    echo "FAIL     $name: no such scenario (rules, packets)"
    fail=$((fail + 1))
    continue
  fi
  host=$tmp/host
  opts=(--backend "$backend" --settle 60 --timeout 30)
  # The host file (tests/scenario_host.sh, as tests/differential.sh makes it);
  # the lab's settle and family become options.
  "$(dirname "$0")/scenario_host.sh" "$dir" >"$host"
  if [ -f "$dir/lab" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
      line=${line%%#*}
      read -r -a w <<<"$line"
      [ ${#w[@]} -eq 0 ] && continue
      case "${w[0]}" in
        settle) opts+=(--settle "${w[1]}") ;;
        family) opts+=(-"${w[1]}") ;;
      esac
    done <"$dir/lab"
  fi
  scenario_args "$dir"  # as tests/differential.sh reads it
  opts+=("${scenario_extra[@]}")
  "$iptsim" verify "${opts[@]}" --host "$host" --packets "$dir/packets" "$dir/rules" \
    >"$tmp/out" 2>"$tmp/err"
  rc=$?
  # A random draw of the kernel: again, up to 20 times in all, until it draws
  # what iptsim draws.
  tries=1
  while [ $rc -eq 1 ] && [ $tries -lt 20 ] && grep -q -- '--mode random' "$dir/rules"; do
    tries=$((tries + 1))
    "$iptsim" verify "${opts[@]}" --host "$host" --packets "$dir/packets" "$dir/rules" \
      >"$tmp/out" 2>"$tmp/err"
    rc=$?
  done
  if [ $rc -eq 2 ] && grep -q 'cannot run the kernel side here' "$tmp/err"; then
    skip "$(sed -n 's/.*cannot run the kernel side here: //p' "$tmp/err" | head -1)"
  fi
  stops=""
  if [ $rc -eq 2 ]; then
    stops=$(grep -m1 -E 'the simulation stops in .*(is not simulated by iptsim yet|is not evaluated)' "$tmp/err" |
            sed 's/^iptsim verify: error: //')
  fi
  if [ $rc -eq 1 ] && grep -q -- '--mode random' "$dir/rules"; then
    random=$((random + 1))
    echo "RANDOM   $name: differs in $tries runs, but the kernel draws -m statistic --mode random anew each run"
  elif [ -n "$stops" ] && ! listed "$corpus/KNOWN-DIFFERENCES" "$name" >/dev/null; then
    pending=$((pending + 1))
    echo "PENDING  $name: $stops"
  elif report_listed "$corpus" "$name" "$([ $rc -eq 0 ] && echo 1 || echo 0)"; then
    :
  elif [ $rc -eq 0 ]; then
    if [ $tries -gt 1 ]; then echo "pass     $name (the kernel's random draw agreed in run $tries)"; else echo "pass     $name"; fi
    pass=$((pass + 1))
  else
    echo "FAIL     $name: iptsim verify exit $rc"
    if [ $verbose -eq 1 ]; then
      sed 's/^/    /' "$tmp/out"
    else
      head -16 "$tmp/out" | sed 's/^/    /'
    fi
    grep -v '^iptsim verify: note: packet [0-9]*: no line on either side' "$tmp/err" |
      head -8 | sed 's/^/    stderr: /'
    fail=$((fail + 1))
  fi
done
secs=$(printf "%.0f" "$(echo "$(date +%s.%N) - $start" | bc)")
echo "verify-scenarios ($backend): $pass passed, $fail failed, $known known differences," \
     "$pending pending, $random random ($# scenarios, $secs s)"
[ $unexpected -eq 0 ] || echo "verify-scenarios: $unexpected listed scenarios pass now: update the lists"
[ "$fail" -eq 0 ] && [ $# -gt 0 ]
