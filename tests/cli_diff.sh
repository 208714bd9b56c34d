#!/bin/bash
# `iptsim diff OLD NEW` as a user sees it (docs/diff.md).  Checked: the ufw
# pair made with the real ufw before and after `ufw allow 8080/tcp`
# (corpus/diff-pairs/ufw-allow-8080) reports exactly TCP to port 8080 as
# changed, in both families, with the deciding rules and a confirmed
# example; a no-op edit reports nothing (exit 0); a changed DNAT target
# shows both NAT bindings; JSON; given packets (--packets: undecided ones
# said so, the one that changes); usage and bad input (exit 2).
# (tests/diff_check.cc checks the answers against the engine by brute force.)
# usage: cli_diff.sh IPTSIM SOURCE_DIR
set -u
iptsim=$(realpath "$1")
src=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out err=$tmp/err
. "$src/tests/cli_lib.sh"
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

# Given packets (--packets): each through both rulesets with the engine.
# ufw's not-local check needs to know the destination is local
# (-m addrtype): undecided without --host or --assume, and said so (exit 1,
# never 'unchanged'); with --assume addrtype=true only the TCP SYN to 8080
# changes (ufw allow 8080/tcp opens TCP only), from the DROP of
# ufw-skip-to-policy-input to the new rule.
cat >"$tmp/given.txt" <<'P'
# ssh, tcp 8080, udp 8080
-i eth0 -s 198.51.100.1 -d 192.0.2.2 -p tcp --dport 22 --syn
-i eth0 -s 198.51.100.1 -d 192.0.2.2 -p tcp --sport 40001 --dport 8080 --syn
-i eth0 -s 198.51.100.1 -d 192.0.2.2 -p udp --dport 8080
P
expect "given: undecided" 1 "$iptsim" diff "$pairs/ufw-allow-8080/old.v4" "$pairs/ufw-allow-8080/new.v4" --packets given.txt
ok "given: undecided said" "$(head -1 "$out" | grep -q '^0 of 3 packets change their fate, 3 undecided ('; echo $?)"
ok "given: what is missing" "$(grep -q '^   before: UNDECIDED in filter:INPUT: filter:ufw-not-local:1 needs to know whether 192.0.2.2' "$out"; echo $?)"
expect "given: assumed" 1 "$iptsim" diff "$pairs/ufw-allow-8080/old.v4" "$pairs/ufw-allow-8080/new.v4" --packets given.txt --assume addrtype=true
exactly "given: the one change" "$out" <<W
1 of 3 packets changes its fate ($pairs/ufw-allow-8080/old.v4 -> $pairs/ufw-allow-8080/new.v4):

given.txt:3: tcp 198.51.100.1:40001 -> 192.0.2.2:8080 SYN, in eth0
   before: DROP by filter:ufw-skip-to-policy-input:return:1 ($pairs/ufw-allow-8080/old.v4:96: -A ufw-skip-to-policy-input -j DROP)
   after:  ACCEPT by filter:ufw-user-input:rule:1 ($pairs/ufw-allow-8080/new.v4:100: -A ufw-user-input -p tcp -m tcp --dport 8080 -j ACCEPT)
W
expect "given: same file" 0 "$iptsim" diff "$pairs/ufw-allow-8080/old.v4" "$pairs/ufw-allow-8080/old.v4" --packets given.txt --assume addrtype=true
ok "given: nothing changes" "$(grep -qx '0 of 3 packets change their fate (.*)' "$out"; echo $?)"
expect "given: json" 1 "$iptsim" diff --format json "$pairs/ufw-allow-8080/old.v4" "$pairs/ufw-allow-8080/new.v4" --packets given.txt --assume addrtype=true
ok "given: json parses" "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["packets"] == 3 and [c["origin"] for c in d["changes"]] == ["given.txt:3"]' "$out"; echo $?)"
expect "host without packets" 2 "$iptsim" diff --assume addrtype=true "$pairs/ufw-allow-8080/old.v4" "$pairs/ufw-allow-8080/new.v4"
ok "host without packets: said" "$(grep -q 'apply to given packets' "$err"; echo $?)"
printf -- '-i eth0 -p tcp --dprt 22\n' >"$tmp/badgiven.txt"
expect "given: bad line" 2 "$iptsim" diff "$pairs/ufw-allow-8080/old.v4" "$pairs/ufw-allow-8080/new.v4" --packets badgiven.txt
ok "given: bad line located" "$(grep -q '^badgiven.txt:1:' "$err"; echo $?)"

finish cli_diff
