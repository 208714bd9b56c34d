#!/bin/bash
# `--why` and `--assume` as a user sees them (docs/packet-options.md): the
# conditions of a rule with the answers the walk acted on (conntrack state
# included), --assume NAME answering the test before the match's '!', one
# rule decided with --assume TABLE:CHAIN:N, and the message of a packet
# the simulation cannot decide.
# usage: cli_why.sh IPTSIM SOURCE_DIR
set -u
iptsim=$1
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
    echo "FAIL $name: exit $got, want $want_rc"; sed 's/^/    /' "$err" | head -5; fail=$((fail + 1)); fi
}
exactly() {  # exactly NAME FILE (the wanted text on stdin)
  if diff <(cat) "$2" >"$tmp/diff"; then pass=$((pass + 1)); else
    echo "FAIL $1: (< wanted, > got)"; sed 's/^/    /' "$tmp/diff" | head -12; fail=$((fail + 1)); fi
}

# 1. The conditions of a rule the packet came to: -m state sees the packet's
# conntrack state (NEW: the connection's first packet), only --dport fails.
cat >"$tmp/state.v4" <<'R'
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT
-A INPUT -p tcp -m conntrack --ctstate NEW -m tcp --dport 22 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -m state --state NEW -j ACCEPT
-A INPUT -p udp -m state --state NEW -j ACCEPT
COMMIT
R
expect "why state" 0 "$iptsim" trace --format explain --why filter:INPUT:1 --why filter:INPUT:2 \
  --why filter:INPUT:3 --why filter:INPUT:4 state.v4 -i eth0 -p tcp --dport 23 --syn
exactly "why state: the failing condition is --dport" "$out" <<'W'
  (conntrack)                    NEW (original), tcp 192.0.2.1:40000 -> 192.0.2.2:23, SYN_SENT, unconfirmed
filter:INPUT:policy:5            policy ACCEPT
verdict: ACCEPT by filter:INPUT:policy:5 (policy ACCEPT)
path: local-in (PREROUTING, INPUT)
why filter:INPUT:1 (state.v4:5: -A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT): not reached: the packet came to the rule and did not match it; its conditions one by one:
  -p tcp                matches
  -m state --state NEW  matches
  -m tcp --dport 22     DOES NOT MATCH
why filter:INPUT:2 (state.v4:6: -A INPUT -p tcp -m conntrack --ctstate NEW -m tcp --dport 22 -j ACCEPT): not reached: the packet came to the rule and did not match it; its conditions one by one:
  -p tcp                      matches
  -m conntrack --ctstate NEW  matches
  -m tcp --dport 22           DOES NOT MATCH
why filter:INPUT:3 (state.v4:7: -A INPUT -p tcp -m tcp --dport 22 -m state --state NEW -j ACCEPT): not reached: the packet came to the rule and did not match it; its conditions one by one:
  -p tcp                matches
  -m tcp --dport 22     DOES NOT MATCH
  -m state --state NEW  not evaluated (an earlier condition failed)
why filter:INPUT:4 (state.v4:8: -A INPUT -p udp -m state --state NEW -j ACCEPT): not reached: the packet came to the rule and did not match it; its conditions one by one:
  -p udp                DOES NOT MATCH
  -m state --state NEW  not evaluated (an earlier condition failed)
W
# The reply (SYN-ACK) of that connection is ESTABLISHED: now -m state fails.
expect "why state, second packet" 0 "$iptsim" trace --format explain --packet-headers \
  --why filter:INPUT:1 state.v4 -i eth0 -s 192.0.2.1 -d 192.0.2.2 -p tcp --sport 40000 \
  --dport 23 --syn -- -i eth0 -s 192.0.2.2 -d 192.0.2.1 -p tcp --sport 23 --dport 40000 \
  --tcp-flags SYN,ACK SYN,ACK
exactly "why state: ESTABLISHED fails" "$out" <<'W'
== packet 1: tcp 192.0.2.1:40000 -> 192.0.2.2:23 SYN, in eth0
  (conntrack)                    NEW (original), tcp 192.0.2.1:40000 -> 192.0.2.2:23, SYN_SENT, unconfirmed
filter:INPUT:policy:5            policy ACCEPT
verdict: ACCEPT by filter:INPUT:policy:5 (policy ACCEPT)
path: local-in (PREROUTING, INPUT)
why filter:INPUT:1 (state.v4:5: -A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT): not reached: the packet came to the rule and did not match it; its conditions one by one:
  -p tcp                matches
  -m state --state NEW  matches
  -m tcp --dport 22     DOES NOT MATCH
== packet 2: tcp 192.0.2.2:23 -> 192.0.2.1:40000 SYN ACK, in eth0
  (conntrack)                    ESTABLISHED (reply), tcp 192.0.2.1:40000 -> 192.0.2.2:23, SYN_RECV
filter:INPUT:policy:5            policy ACCEPT
verdict: ACCEPT by filter:INPUT:policy:5 (policy ACCEPT)
path: local-in (PREROUTING, INPUT)
why filter:INPUT:1 (state.v4:5: -A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT): not reached: the packet came to the rule and did not match it; its conditions one by one:
  -p tcp                matches
  -m state --state NEW  DOES NOT MATCH
  -m tcp --dport 22     not evaluated (an earlier condition failed)
W

# 2. --assume NAME answers the test itself, before '!' / --invert.
cat >"$tmp/rp.v4" <<'R'
*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -m rpfilter --invert -j DROP
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m addrtype --dst-type LOCAL -j ACCEPT
-A INPUT -m addrtype ! --dst-type LOCAL -j DROP
-A INPUT -p tcp --dport 22 -j ACCEPT
COMMIT
R
pkt=(-i eth0 -s 198.51.100.7 -d 192.0.2.2 -p tcp --dport 22)
expect "undecided rpfilter" 2 "$iptsim" trace --format explain rp.v4 "${pkt[@]}"
exactly "undecided rpfilter: what is missing, --host first" "$err" <<'W'
iptsim trace: packet 1: the simulation stops in raw:PREROUTING: raw:PREROUTING:1 needs to know whether the host's route back to 198.51.100.7 leaves through eth0 (-m rpfilter --invert): give the host's addresses and routes with --host FILE, or decide every -m rpfilter test with --assume rpfilter=true|false (the answer, before any '!' or --invert); or decide this rule alone with --assume raw:PREROUTING:1=match|nomatch
W
expect "rpfilter=true: the check passes, --invert does not drop" 2 "$iptsim" trace --format explain \
  --assume rpfilter=true rp.v4 "${pkt[@]}"
exactly "rpfilter=true: on to the addrtype rule" "$err" <<'W'
iptsim trace: packet 1: the simulation stops in filter:INPUT: filter:INPUT:1 needs to know whether 192.0.2.2 (the packet's destination) is a local address of the host (-m addrtype --dst-type LOCAL): give the host's addresses and routes with --host FILE, or decide every -m addrtype test with --assume addrtype=true|false (the answer, before any '!' or --invert); or decide this rule alone with --assume filter:INPUT:1=match|nomatch
W
expect "rpfilter=false: the check fails, --invert drops" 0 "$iptsim" trace --format explain \
  --assume rpfilter=false rp.v4 "${pkt[@]}"
exactly "rpfilter=false drops" "$out" <<'W'
raw:PREROUTING:rule:1            rp.v4:4: -A PREROUTING -m rpfilter --invert -j DROP
verdict: DROP by raw:PREROUTING:rule:1 (rp.v4:4: -A PREROUTING -m rpfilter --invert -j DROP)
path: local-in (PREROUTING, INPUT)
W
expect "addrtype=false: ! --dst-type LOCAL matches" 0 "$iptsim" trace --format explain \
  --assume rpfilter=true --assume addrtype=false rp.v4 "${pkt[@]}"
exactly "addrtype=false: rule 2 drops" "$out" <<'W'
raw:PREROUTING:policy:2          policy ACCEPT
filter:INPUT:rule:2              rp.v4:11: -A INPUT -m addrtype ! --dst-type LOCAL -j DROP
verdict: DROP by filter:INPUT:rule:2 (rp.v4:11: -A INPUT -m addrtype ! --dst-type LOCAL -j DROP)
path: local-in (PREROUTING, INPUT)
W
expect "addrtype=true: rule 1 accepts" 0 "$iptsim" trace --format explain \
  --assume rpfilter=true --assume addrtype=true rp.v4 "${pkt[@]}"
exactly "addrtype=true: rule 1" "$out" <<'W'
raw:PREROUTING:policy:2          policy ACCEPT
filter:INPUT:rule:1              rp.v4:10: -A INPUT -m addrtype --dst-type LOCAL -j ACCEPT
verdict: ACCEPT by filter:INPUT:rule:1 (rp.v4:10: -A INPUT -m addrtype --dst-type LOCAL -j ACCEPT)
path: local-in (PREROUTING, INPUT)
W

# 3. One rule: --assume TABLE:CHAIN:N=match|nomatch, after inversion, over
# --assume NAME; --why says which answers were assumed.
expect "rule assumptions" 0 "$iptsim" trace --format explain --assume raw:PREROUTING:1=nomatch \
  --assume filter:INPUT:1=false --assume addrtype=true --assume filter:INPUT:2=nomatch \
  --why filter:INPUT:2 rp.v4 "${pkt[@]}"
exactly "rule assumptions: on to rule 3" "$out" <<'W'
raw:PREROUTING:policy:2          policy ACCEPT
filter:INPUT:rule:3              rp.v4:12: -A INPUT -p tcp --dport 22 -j ACCEPT
verdict: ACCEPT by filter:INPUT:rule:3 (rp.v4:12: -A INPUT -p tcp --dport 22 -j ACCEPT)
path: local-in (PREROUTING, INPUT)
why filter:INPUT:2 (rp.v4:11: -A INPUT -m addrtype ! --dst-type LOCAL -j DROP): not reached: the packet came to the rule and did not match it; its conditions one by one:
  -m addrtype ! --dst-type LOCAL  DOES NOT MATCH (decided by --assume)
W
expect "rule assumption match" 0 "$iptsim" trace --format explain --assume raw:PREROUTING:1=match \
  rp.v4 "${pkt[@]}"
exactly "rule assumption match: the inverted rpfilter rule drops" "$out" <<'W'
raw:PREROUTING:rule:1            rp.v4:4: -A PREROUTING -m rpfilter --invert -j DROP
verdict: DROP by raw:PREROUTING:rule:1 (rp.v4:4: -A PREROUTING -m rpfilter --invert -j DROP)
path: local-in (PREROUTING, INPUT)
W

# 4. Usage errors.
expect "no such rule" 2 "$iptsim" trace --assume filter:INPUT:9=match rp.v4
exactly "no such rule: message" "$err" <<'W'
iptsim trace: error: --assume: filter:INPUT has 3 rules, no rule 9
Try 'iptsim help' for usage.
W
expect "nothing undecidable" 2 "$iptsim" trace --assume filter:INPUT:3=match rp.v4
exactly "nothing undecidable: message" "$err" <<'W'
iptsim trace: error: --assume: filter:INPUT:3 (rp.v4:12: -A INPUT -p tcp --dport 22 -j ACCEPT) has no condition the packet can leave undecided (those are -m addrtype, bpf, cgroup, connlimit, conntrack, cpu, eui64, hashlimit, osf, owner, rateest, realm, recent, rpfilter, set, socket, statistic, time)
Try 'iptsim help' for usage.
W
expect "bad value" 2 "$iptsim" trace --assume filter:INPUT:1=maybe rp.v4
exactly "bad value: message" "$err" <<'W'
iptsim trace: error: --assume takes TABLE:CHAIN:N=match or TABLE:CHAIN:N=nomatch, not 'filter:INPUT:1=maybe'
Try 'iptsim help' for usage.
W
expect "always decided" 2 "$iptsim" trace --assume tcp=true rp.v4
exactly "always decided: message" "$err" <<'W'
iptsim trace: error: --assume tcp=true: -m tcp is always decided from the packet; --assume decides addrtype, bpf, cgroup, connlimit, conntrack, cpu, eui64, hashlimit, osf, owner, rateest, realm, recent, rpfilter, set, socket, statistic, time
Try 'iptsim help' for usage.
W
expect "typo" 2 "$iptsim" trace --assume rpfiltr=true rp.v4
exactly "typo: did you mean" "$err" <<'W'
iptsim trace: error: --assume rpfiltr=true: no match 'rpfiltr' can be undecided, did you mean 'rpfilter'?
Try 'iptsim help' for usage.
W
expect "verify: no rule assumptions" 2 "$iptsim" verify --assume filter:INPUT:1=match rp.v4
exactly "verify: message" "$err" <<'W'
iptsim verify: error: --assume TABLE:CHAIN:N=match|nomatch is for 'iptsim trace'; verify takes --assume NAME=true|false
Try 'iptsim help' for usage.
W
expect "help" 0 "$iptsim" help trace
# (help wraps its text at 80 columns: compare with the lines joined)
if tr -s ' \n' ' ' <"$out" | grep -qF -- "answer an undecided test of -m NAME (before its '!'); trace also takes TABLE:CHAIN:N=match|nomatch for one rule"; then
  pass=$((pass + 1)); else echo "FAIL help: --assume's text"; fail=$((fail + 1)); fi

echo "cli-why: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
