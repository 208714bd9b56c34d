#!/bin/bash
# `iptsim diff OLD NEW` as a user sees it (docs/diff.md).  Checked: the ufw
# pair made with the real ufw before and after `ufw allow 8080/tcp`
# (corpus/diff-pairs/ufw-allow-8080) reports exactly TCP to port 8080 as
# changed, in both families, with the deciding rules and a confirmed
# example; a no-op edit reports nothing (exit 0); a changed DNAT target
# shows both NAT bindings; JSON; usage and bad input (exit 2).
# (tests/diff_check.cc checks the answers against the engine by brute force.)
# usage: cli_diff.sh IPTSIM SOURCE_DIR
set -u
iptsim=$(realpath "$1")
src=$(cd "$2" && pwd)
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out err=$tmp/err
expect() {  # expect NAME WANT_STATUS COMMAND...
  local name=$1 want_rc=$2
  shift 2
  (cd "$tmp" && "$@") >"$out" 2>"$err"
  local got=$?
  if [ "$got" -eq "$want_rc" ]; then pass=$((pass + 1)); else
    echo "FAIL $name: exit $got, want $want_rc"; sed 's/^/    /' "$err" "$out" | head -8; fail=$((fail + 1)); fi
}
ok() {  # ok NAME CONDITION-STATUS
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); else echo "FAIL $1"; sed 's/^/    /' "$out" | head -12; fail=$((fail + 1)); fi
}
pairs=$src/corpus/diff-pairs

# ufw allow 8080/tcp: every changed set is TCP to port 8080 arriving, from
# DROP to ACCEPT by the new rule; nothing else changes.
for fam in v4 v6; do
  expect "ufw $fam" 1 "$iptsim" diff "$pairs/ufw-allow-8080/old.$fam" "$pairs/ufw-allow-8080/new.$fam"
  ok "ufw $fam: no stderr" "$([ -s "$err" ]; echo $((1 - $?)))"
  n=$(grep -c '^[0-9]*\. ' "$out")
  ok "ufw $fam: changes are local-in DROP -> ACCEPT" \
    "$([ "$n" -ge 1 ] && [ "$(grep -c '^[0-9]*\. local-in: DROP -> ACCEPT$' "$out")" -eq "$n" ]; echo $?)"
  ok "ufw $fam: every set is tcp dport 8080" \
    "$(! grep '^   packets:' "$out" | grep -v 'proto tcp; dport 8080\(;\|$\)' | grep -q .; echo $?)"
  ok "ufw $fam: decided by the new rule" \
    "$([ "$(grep -c '^   after:   ACCEPT by filter:ufw6\{0,1\}-user-input:rule:1 (.*-A ufw6\{0,1\}-user-input -p tcp -m tcp --dport 8080 -j ACCEPT)$' "$out")" -eq "$n" ]; echo $?)"
  ok "ufw $fam: examples to port 8080" \
    "$([ "$(grep -c '^   example: -i .* -p tcp .*--dport 8080 ' "$out")" -eq "$n" ]; echo $?)"
done

# A no-op edit (a shadowed rule added): nothing changes, exit 0.
expect "no-op" 0 "$iptsim" diff "$pairs/ferm-debian-shadowed-noop/old.v4" "$pairs/ferm-debian-shadowed-noop/new.v4"
ok "no-op: the words" "$(grep -q '^no packet changes its fate' "$out"; echo $?)"

# The same file on both sides.
expect "same file" 0 "$iptsim" diff "$pairs/ufw-allow-8080/old.v4" "$pairs/ufw-allow-8080/old.v4"

# A DNAT target changed: both bindings shown.
expect "dnat changed" 1 "$iptsim" diff "$pairs/ferm-router-dnat-changed/old.v4" "$pairs/ferm-router-dnat-changed/new.v4"
ok "dnat: before and after bindings" \
  "$(grep -q '^   before: .*; NAT DNAT --to-destination' "$out" && grep -q '^   after: .*; NAT DNAT --to-destination' "$out"; echo $?)"

# --traces: the example's walk in each file, ending in the outcome the set shows.
expect "traces" 1 "$iptsim" diff --traces "$pairs/ferm-debian6-delete-ssh/old.v6" "$pairs/ferm-debian6-delete-ssh/new.v6"
ok "traces: before and after walks" \
  "$(sed -n '/^   trace before:/,/^   trace after:/p' "$out" | grep -q '^      verdict: ACCEPT by filter:INPUT:rule:7 ' &&
     sed -n '/^   trace after:/,$p' "$out" | grep -q '^      verdict: DROP by filter:INPUT:policy:7 (policy DROP)$'; echo $?)"

# JSON: one object, as many changes as the table.
expect "json" 1 "$iptsim" diff --format json "$pairs/ufw-allow-8080/old.v4" "$pairs/ufw-allow-8080/new.v4"
ok "json parses with two changes" "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if len(d["changes"]) == 2 and d["changes"][0]["after"]["verdict"] == "ACCEPT" else 1)' "$out"; echo $?)"

# Usage and bad input.
expect "NEW missing" 2 "$iptsim" diff "$pairs/ufw-allow-8080/old.v4"
ok "NEW missing: message" "$(grep -q 'NEW is missing (iptsim diff OLD NEW)' "$err"; echo $?)"
expect "families differ" 2 "$iptsim" diff "$pairs/ufw-allow-8080/old.v4" "$pairs/ufw-allow-8080/old.v6"
printf '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport\nCOMMIT\n' >"$tmp/bad.v4"
expect "bad NEW" 2 "$iptsim" diff "$pairs/ufw-allow-8080/old.v4" "$tmp/bad.v4"
ok "bad NEW: file:line:col" "$(grep -q 'bad.v4:3:[0-9]*: error:' "$err"; echo $?)"
expect "bad format" 2 "$iptsim" diff --format xml "$pairs/ufw-allow-8080/old.v4" "$pairs/ufw-allow-8080/new.v4"

echo "cli_diff: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
