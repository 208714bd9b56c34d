#!/bin/bash
# ctest why-check: `--why` checked against the engine (tests/why_check.cc)
# for every rule of every differential scenario (corpus/scenarios) and
# every packet of it, run as tests/differential.sh runs them (the lab's host
# file, the scenario's args).
#
# usage: why_check.sh WHY_CHECK SOURCE_DIR [NAME...]
set -u
check=$1
src=$2
shift 2
corpus=$src/corpus/scenarios
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/scenario_lib.sh"
if [ $# -eq 0 ]; then
  set -- $(cd "$corpus" && for d in */; do [ -f "$d/rules" ] && echo "${d%/}"; done)
fi
failed=0
checks=0
for name in "$@"; do
  dir=$corpus/$name
  scenario_args "$dir"
  "$(dirname "$0")/scenario_host.sh" "$dir" >"$tmp/host"
  out=$("$check" "$tmp/host" "$dir/packets" "$dir/rules" "${scenario_extra[@]}" 2>&1)
  rc=$?
  n=$(sed -n 's/^why-check .*: \([0-9]*\) checks.*/\1/p' <<<"$out")
  checks=$((checks + ${n:-0}))
  if [ $rc -ne 0 ]; then
    echo "FAIL $name (exit $rc):"
    grep -v '^why-check ' <<<"$out" | head -10 | sed 's/^/    /'
    failed=$((failed + 1))
  fi
done
echo "why-check: $# scenarios, $checks checks, $failed scenarios failed"
[ $failed -eq 0 ] && [ $checks -gt 0 ]
