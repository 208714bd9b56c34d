#!/bin/bash
# The kernel differential test: for every scenario of corpus/scenarios
# (README.md there), `iptsim trace --packet-headers --packets packets RULES`
# (all the packets in one run, as the kernel saw them in one lab) must print
# exactly the kernel's lines recorded in `expected` (captured by
# scripts/capture-differential.sh), byte for byte.  Needs no root.
# Every scenario runs with `--host`: a host file (docs/host.md) made of the
# lab the kernel ran in: the default ports d0/e0 exactly as
# capture-differential.sh sets them up, plus the scenario's `lab` directives
# (but settle, family and nodefault, which only the lab knows).
#
# Scenarios listed in corpus/scenarios/PENDING (iptsim cannot simulate them
# yet) and in corpus/scenarios/KNOWN-DIFFERENCES (iptsim disagrees with the
# kernel: an engine bug) are still run and reported as PENDING / KNOWN, not
# as passes; only other failures fail the test.  A listed scenario that
# passes is reported loudly so that the list can be cleaned up.
#
# A scenario may have a file `args`: extra `iptsim trace` options (before
# RULES) for every packet of it, e.g. the --seed of a random choice.
#
# usage: differential.sh IPTSIM SOURCE_DIR [NAME...]
#   -v (first argument): show the whole diff of every failing scenario
set -u
verbose=0
if [ "${1:-}" = "-v" ]; then verbose=1; shift; fi
iptsim=$1
src=$2
shift 2
corpus=$src/corpus/scenarios
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# normalise, listed, report_listed, scenario_args.
. "$(dirname "$0")/scenario_lib.sh"

if [ $# -eq 0 ]; then
  set -- $(cd "$corpus" && for d in */; do [ -f "$d/rules" ] && echo "${d%/}"; done)
fi

# A listed name without a scenario is a mistake in the list.
for list in PENDING KNOWN-DIFFERENCES; do
  [ -f "$corpus/$list" ] || continue
  for n in $(awk '!/^[ \t]*#/ && NF { print $1 }' "$corpus/$list"); do
    [ -f "$corpus/$n/rules" ] || echo "differential: warning: $list names '$n', which is no scenario"
  done
done

pass=0
fail=0
pending=0
known=0
unexpected=0
for name in "$@"; do
  dir=$corpus/$name
  if [ ! -f "$dir/expected" ]; then
    echo "FAIL     $name: no expected (capture it with scripts/capture-differential.sh $name)"
    fail=$((fail + 1))
    continue
  fi
  # NAME/args: extra `iptsim trace` options for this scenario (e.g. --seed N).
  scenario_args "$dir"
  # The host file of the scenario's lab.
  "$(dirname "$0")/scenario_host.sh" "$dir" >"$tmp/host"
  # All the scenario's packets in ONE run, in order (they share state, as in
  # the kernel lab), each headed by "== packet N" as in `expected`.
  "$iptsim" trace --host "$tmp/host" --packet-headers --quiet "${scenario_extra[@]}" \
    --packets "$dir/packets" "$dir/rules" >"$tmp/got" 2>"$tmp/err"
  rc=$?
  [ $rc -eq 0 ] || echo "iptsim trace exit $rc" >>"$tmp/err"

  normalise "$dir/expected" >"$tmp/want"
  normalise "$tmp/got" >"$tmp/got.n" && mv "$tmp/got.n" "$tmp/got"
  if cmp -s "$tmp/want" "$tmp/got"; then
    same=1
  else
    same=0
  fi
  if report_listed "$corpus" "$name" "$same"; then
    :
  elif [ $same -eq 1 ]; then
    echo "pass     $name"
    pass=$((pass + 1))
  else
    echo "FAIL     $name (< kernel, > iptsim):"
    if [ $verbose -eq 1 ]; then
      diff "$tmp/want" "$tmp/got" | sed 's/^/    /'
    else
      diff "$tmp/want" "$tmp/got" | head -12 | sed 's/^/    /'
    fi
    sed 's/^/    stderr: /' "$tmp/err" | head -5
    fail=$((fail + 1))
  fi
done

echo "differential: $pass passed, $fail failed, $known known differences, $pending pending" \
     "($# scenarios)"
[ $unexpected -eq 0 ] || echo "differential: $unexpected listed scenarios pass now: update the lists"
[ "$fail" -eq 0 ] && [ $# -gt 0 ]
