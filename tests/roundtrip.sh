#!/bin/bash
# Round trip: every real iptables-save output we keep (reference captures
# e7-*, iptables' own dumps, and the real-world rulesets of corpus/rulesets)
# must load, and `iptsim save` must reproduce its table, chain and rule lines
# byte for byte (comment and blank lines aside).
# usage: roundtrip.sh IPTSIM SOURCE_DIR
set -u
iptsim=$1
src=$2
pass=0
fail=0
files=$(ls "$src"/corpus/reference/captures/e7-*.txt \
           "$src"/corpus/iptables-tests/dumps/* \
           "$src"/corpus/rulesets/*.v4 "$src"/corpus/rulesets/*.v6 2>/dev/null | grep -v '\.xml$')
for f in $files; do
  opts=""
  grep -q '^\[' "$f" && opts="-c"
  want=$(grep -v -e '^#' -e '^[[:space:]]*$' "$f")
  if ! got=$("$iptsim" save $opts "$f" 2>/tmp/roundtrip.$$.err); then
    echo "FAIL $f: does not load:"
    head -20 /tmp/roundtrip.$$.err | sed 's/^/    /'
    fail=$((fail + 1))
    continue
  fi
  got=$(printf '%s\n' "$got" | grep -v -e '^#' -e '^[[:space:]]*$')
  if [ "$want" != "$got" ]; then
    echo "FAIL $f: saved text differs (< file, > iptsim save):"
    diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") | head -20 | sed 's/^/    /'
    fail=$((fail + 1))
  else
    echo "ok   $f ($(printf '%s\n' "$want" | grep -c '^-A') rules)"
    pass=$((pass + 1))
  fi
done
rm -f /tmp/roundtrip.$$.err
echo "roundtrip: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
