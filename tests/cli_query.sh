#!/bin/bash
# `iptsim query RULES [MATCH...]` as a user sees it (docs/query.md), on the
# ufw ruleset of corpus/rulesets (written by the real ufw) and ferm's router.
# The expected answers come from reading the rules (quoted next to each
# check), not from iptsim's output; every example in an answer is also
# confirmed by the engine inside iptsim (a disagreement exits 2).
# Checked: the service matrix of one source; a question with no answer
# (exit 1); the packets that reach a rule and those it matches; each
# outcome of the packets asked about on one path; DNAT in an outcome; JSON;
# usage and bad input (exit 2).
# usage: cli_query.sh IPTSIM SOURCE_DIR
set -u
iptsim=$(realpath "$1")
src=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out err=$tmp/err
. "$src/tests/cli_lib.sh"
ufw=$src/corpus/rulesets/ufw-custom.v4

# 1. What may 192.168.1.10 open over TCP from eth1?  ufw-user-input accepts
# new TCP to 22 (limit), 80, 443, 2222, 8443, 3306 (-s 192.168.1.10/32 -i
# eth1), and 25 only to 203.0.113.2; 23 is dropped and 113 rejected.
expect "matrix" 0 "$iptsim" query --matrix --path local-in "$ufw" -i eth1 -s 192.168.1.10 -p tcp
has "matrix: one class" "$out" "  from: any source"
has "matrix: services" "$out" "    to: dst not 203.0.113.2/32; dport 22, 80, 443, 2222, 3306, 8443"
has "matrix: services to 203.0.113.2" "$out" "    to: dst 203.0.113.2/32; dport 22, 25, 80, 443, 2222, 3306, 8443"
ok "matrix: no stderr" "$([ -s "$err" ]; echo $((1 - $?)))"

# 2. Can 198.51.100.5 open TCP 3306 from eth1?  No: '-s 198.51.100.0/24 -j
# DROP' comes first, and the 3306 rule is for 192.168.1.10 only.  Exit 1.
expect "no answer" 1 "$iptsim" query --verdict ACCEPT --path local-in "$ufw" \
  -i eth1 -s 198.51.100.5 -p tcp --dport 3306 -m conntrack --ctstate NEW
has "no answer: said" "$out" "  no packet"
# From lo, though, 'ufw-before-input -i lo -j ACCEPT' takes everything.
expect "from lo" 0 "$iptsim" query --verdict ACCEPT --path local-in "$ufw" \
  -i lo -s 198.51.100.5 -p tcp --dport 3306
has "from lo: by the lo rule" "$out" "  ACCEPT by filter:ufw-before-input:rule:1 ($ufw:72: -A ufw-before-input -i lo -j ACCEPT)"

# 3. The 3306 rule (ufw-user-input rule 15): reached only on local-in; it
# matches new or untracked TCP to 3306 from 192.168.1.10 on eth1.
expect "rule" 0 "$iptsim" query "$ufw" --rule filter:ufw-user-input:15
ok "rule: matched packets" "$(grep -A1 '^  match it:$' "$out" | grep -q '^     packets: in eth1; ctstate NEW, UNTRACKED; proto tcp; dport 3306; src 192.168.1.10/32\(;\|$\)'; echo $?)"
has "rule: match example" "$out" "     example: -i eth1 -s 192.168.1.10 -d 192.0.2.2 -p tcp --sport 40000 --dport 3306 --tcp-flags ALL 2 --ctstate NEW"
ok "rule: not on forward nor local-out" "$([ "$(grep -c '^  no packet reaches it$' "$out")" -eq 2 ]; echo $?)"

# A shadowed rule (corpus/diff-pairs/ferm-debian-shadowed-noop: INPUT rule 9
# accepts TCP 22 from 192.168.1.0/24, after rule 8 accepted all TCP 22):
# packets reach it, none matches.
shadowed=$src/corpus/diff-pairs/ferm-debian-shadowed-noop/new.v4
expect "shadowed rule" 0 "$iptsim" query --path local-in "$shadowed" --rule filter:INPUT:9
has "shadowed rule: said" "$out" "  match it: no packet (shadowed by the rules before it, or it matches only packets the analysis leaves out: docs/query.md)"
lacks "shadowed rule: no tcp 22 reaches it" "$out" "proto tcp; dport 22$"

# 4. The fate of SSH forwarded: established ones by ufw-before-forward
# rule 1, eth1 -> eth0 by ufw-user-forward rule 1, the rest by the policy.
expect "outcomes" 0 "$iptsim" query --path forward "$ufw" -p tcp --dport 22
grep '^  [A-Z]' "$out" >"$tmp/heads"
exactly "outcomes: the three" "$tmp/heads" <<W
  DROP by filter:FORWARD:policy:7 (policy DROP)
  ACCEPT by filter:ufw-before-forward:rule:1 ($ufw:66: -A ufw-before-forward -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT)
  ACCEPT by filter:ufw-user-forward:rule:1 ($ufw:104: -A ufw-user-forward -i eth1 -o eth0 -j ACCEPT)
W
has "outcomes: eth1 to eth0" "$out" "     packets: in eth1; out eth0; ctstate not ESTABLISHED, RELATED"

# 5. JSON: the same three outcomes.
expect "json" 0 "$iptsim" query --format json --path forward "$ufw" -p tcp --dport 22
ok "json: parses, three outcomes" "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert [o["verdict"] for o in d["outcomes"]] == ["DROP", "ACCEPT", "ACCEPT"], d
assert all(o["path"] == "forward" and o["example"] for o in d["outcomes"])
' "$out"; echo $?)"

# 6. DNAT: ferm's router sends new TCP to 203.0.113.2:2222 from eth0 to
# 192.168.1.30:22, which 'FORWARD -d 192.168.1.30/32 -i eth0 -o eth1 -p tcp
# --dport 22 -j ACCEPT' (rule 10) accepts when it leaves on eth1.
ferm=$src/corpus/rulesets/ferm-router.v4
expect "dnat" 0 "$iptsim" query --path forward "$ferm" -i eth0 -d 203.0.113.2 -p tcp --dport 2222 -m conntrack --ctstate NEW
has "dnat: accepted after DNAT" "$out" "  ACCEPT by filter:FORWARD:rule:10 ($ferm:80: -A FORWARD -d 192.168.1.30/32 -i eth0 -o eth1 -p tcp -m tcp --dport 22 -j ACCEPT); NAT DNAT --to-destination 192.168.1.30:22"

# 7. IPv6 runs too.
expect "v6 matrix" 0 "$iptsim" query --matrix "$src/corpus/rulesets/ufw-custom.v6"

# 8. Usage and bad input: exit 2 with the reason.
expect "bad match" 2 "$iptsim" query "$ufw" -p tcp --dprt 22
ok "bad match: where" "$(grep -q "^<query>:2:17: error: unknown option '--dprt'" "$err"; echo $?)"
expect "a target" 2 "$iptsim" query "$ufw" -p tcp -j ACCEPT
ok "a target: said" "$(grep -q 'matches only, without -j or -g' "$err"; echo $?)"
expect "opaque" 2 "$iptsim" query "$ufw" -m string --algo bm --string foo
ok "opaque: said" "$(grep -q 'cannot describe as a set of packets (-m string' "$err"; echo $?)"
expect "two questions" 2 "$iptsim" query --matrix --verdict DROP "$ufw"
expect "bad verdict" 2 "$iptsim" query --verdict MAYBE "$ufw"
expect "bad path" 2 "$iptsim" query --path sideways "$ufw"
expect "no such rule" 2 "$iptsim" query --rule filter:ufw-user-input:99 "$ufw"
expect "no such chain" 2 "$iptsim" query --rule filter:NOPE:1 "$ufw"
expect "bad rules" 2 "$iptsim" query /nonexistent

finish cli_query
