#!/bin/bash
# The kernel differential test: for every scenario of corpus/scenarios
# (README.md there), `iptsim trace RULES PACKET` for each packet line must
# print exactly the kernel's lines recorded in `expected` (captured by
# scripts/capture-differential.sh), byte for byte.  Needs no root.
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

# "NAME reason..." lines of a list file; '#' comments.
listed() {  # listed FILE NAME -> prints the reason, status 0 if listed
  [ -f "$1" ] || return 1
  awk -v n="$2" '/^[ \t]*#/ { next } $1 == n { $1 = ""; sub(/^ /, ""); print; found = 1; exit }
                 END { exit !found }' "$1"
}

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
unexpected_pass=0
for name in "$@"; do
  dir=$corpus/$name
  if [ ! -f "$dir/expected" ]; then
    echo "FAIL     $name: no expected (capture it with scripts/capture-differential.sh $name)"
    fail=$((fail + 1))
    continue
  fi
  # NAME/args: extra `iptsim trace` options for this scenario (e.g. --seed N),
  # words split as a shell would; '#' starts a comment.
  extra=()
  if [ -f "$dir/args" ]; then
    while IFS= read -r aline || [ -n "$aline" ]; do
      aline=${aline%%#*}
      eval "awords=($aline)"
      extra+=("${awords[@]}")
    done <"$dir/args"
  fi
  : >"$tmp/got"
  : >"$tmp/err"
  n=0
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in ''|'#'*) continue ;; esac
    trimmed=${line#"${line%%[![:space:]]*}"}
    case "$trimmed" in ''|'#'*) continue ;; esac
    n=$((n + 1))
    echo "== packet $n" >>"$tmp/got"
    # The packet line's words, split as a shell would (quotes, '#' comments).
    eval "words=($line)"
    "$iptsim" trace "${extra[@]}" "$dir/rules" "${words[@]}" >>"$tmp/got" 2>>"$tmp/err.$n"
    rc=$?
    grep -v '^iptsim trace: note: no TRACE rule matched' "$tmp/err.$n" | sed "s/^/packet $n: /" >>"$tmp/err"
    rm -f "$tmp/err.$n"
    [ $rc -eq 0 ] || echo "packet $n: iptsim trace exit $rc" >>"$tmp/err"
  done <"$dir/packets"

  if cmp -s "$dir/expected" "$tmp/got"; then
    same=1
  else
    same=0
  fi
  if reason=$(listed "$corpus/PENDING" "$name"); then
    pending=$((pending + 1))
    if [ $same -eq 1 ]; then
      echo "PENDING  $name: PASSES NOW - remove it from PENDING ($reason)"
      unexpected_pass=$((unexpected_pass + 1))
    else
      echo "PENDING  $name: $reason"
    fi
  elif reason=$(listed "$corpus/KNOWN-DIFFERENCES" "$name"); then
    known=$((known + 1))
    if [ $same -eq 1 ]; then
      echo "KNOWN    $name: PASSES NOW - remove it from KNOWN-DIFFERENCES ($reason)"
      unexpected_pass=$((unexpected_pass + 1))
    else
      echo "KNOWN    $name: known failure: $reason"
    fi
  elif [ $same -eq 1 ]; then
    echo "pass     $name"
    pass=$((pass + 1))
  else
    echo "FAIL     $name (< kernel, > iptsim):"
    if [ $verbose -eq 1 ]; then
      diff "$dir/expected" "$tmp/got" | sed 's/^/    /'
    else
      diff "$dir/expected" "$tmp/got" | head -12 | sed 's/^/    /'
    fi
    sed 's/^/    stderr: /' "$tmp/err" | head -5
    fail=$((fail + 1))
  fi
done

echo "differential: $pass passed, $fail failed, $known known differences, $pending pending" \
     "($# scenarios)"
[ $unexpected_pass -eq 0 ] || echo "differential: $unexpected_pass listed scenarios pass now: update the lists"
[ "$fail" -eq 0 ] && [ $# -gt 0 ]
