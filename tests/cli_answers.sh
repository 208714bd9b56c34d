#!/bin/bash
# What `iptsim trace` answers about a packet, beyond the kernel's lines: the
# verdict (REJECT as REJECT), the rule that decided it (table:chain:N,
# file:line, the rule as written), the path, notes printed once, --quiet,
# the closing summary, packet headers, the packets REJECT sends.
# The rule numbers and labels follow docs/kernel-trace.md §2.1 (an
# unconditional -j ACCEPT in a user chain is labelled "return").
# usage: cli_answers.sh IPTSIM
set -u
iptsim=$1
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
out=$tmp/out err=$tmp/err
expect() {  # expect NAME WANT_STATUS COMMAND...
  local name=$1 want=$2
  shift 2
  "$@" >"$out" 2>"$err"
  local got=$?
  if [ "$got" -eq "$want" ]; then pass=$((pass + 1)); else
    echo "FAIL $name: exit $got, want $want"; sed 's/^/    /' "$err" | head -5; fail=$((fail + 1)); fi
}
same() {  # same NAME FILE WANT_TEXT: the whole file, exactly
  if [ "$(cat "$2")" == "$3" ]; then pass=$((pass + 1)); else
    echo "FAIL $1: got"; sed 's/^/    /' "$2"; echo "  want"; printf '%s\n' "$3" | sed 's/^/    /'
    fail=$((fail + 1)); fi
}
contains() {  # contains NAME FILE TEXT
  if grep -qF -- "$3" "$2"; then pass=$((pass + 1)); else
    echo "FAIL $1: '$3' not in output:"; sed 's/^/    /' "$2" | head -8; fail=$((fail + 1)); fi
}

cat >rules.v4 <<'EOF'
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:SSH - [0:0]
-A INPUT -p tcp --dport 22 -j SSH
-A INPUT -p tcp --dport 23 -j REJECT --reject-with tcp-reset
-A SSH -s 10.1.0.0/16 -j RETURN
-A SSH -j ACCEPT
COMMIT
EOF
ssh=(-i eth0 -s 192.0.2.1 -d 192.0.2.2 -p tcp --dport 22)

# The first run on a ruleset without a TRACE rule: the kernel logs nothing
# (stdout stays empty, as the kernel's log would), the answer is on stderr.
expect "first run" 0 "$iptsim" trace rules.v4 "${ssh[@]}"
same "first run: nothing on stdout" "$out" ""
same "first run: the answer" "$err" "\
iptsim trace: note: packet 1: no TRACE rule matched, so the kernel would log no TRACE line (add a raw-table TRACE rule, or use --trace-all; --format explain lists every rule the packet matched)
iptsim trace: packet 1: ACCEPT by filter:SSH:return:2 (rules.v4:9: -A SSH -j ACCEPT)
  via: filter:INPUT:rule:1 (rules.v4:6: -A INPUT -p tcp --dport 22 -j SSH)
  path: local-in (PREROUTING, INPUT)
iptsim trace: note: packet 1: filter:SSH:return:2 is a rule, which the kernel labels 'return' because it has no condition and a built-in verdict (docs/kernel-trace.md §2.1)"

# Without -i or -o the packet is one the host sends: the path says so.
expect "no -i" 0 "$iptsim" trace --quiet rules.v4 -s 192.0.2.2 -d 192.0.2.9 -p udp --dport 53
same "--quiet: nothing on stderr" "$err" ""
expect "no -i, not quiet" 0 "$iptsim" trace rules.v4 -s 192.0.2.2 -d 192.0.2.9 -p udp --dport 53
contains "no -i: the default path is named" "$err" \
  "  path: local-out (OUTPUT, POSTROUTING); no -i or -o given, so it is a packet this host sends (give -i IF for one that arrives)"
contains "no -i: the OUTPUT policy decides" "$err" \
  "iptsim trace: packet 1: ACCEPT by filter:OUTPUT:policy:1 (policy ACCEPT)"

# Explain: every rule, the label quirk said in words, the deciding rule.
expect "explain" 0 "$iptsim" trace --format explain rules.v4 "${ssh[@]}"
same "explain: the whole answer" "$out" "\
filter:INPUT:rule:1              rules.v4:6: -A INPUT -p tcp --dport 22 -j SSH
filter:SSH:return:2              rules.v4:9: -A SSH -j ACCEPT  # a rule, which the kernel labels 'return' because it has no condition and a built-in verdict (docs/kernel-trace.md §2.1)
verdict: ACCEPT by filter:SSH:return:2 (rules.v4:9: -A SSH -j ACCEPT)
  via: filter:INPUT:rule:1 (rules.v4:6: -A INPUT -p tcp --dport 22 -j SSH)
path: local-in (PREROUTING, INPUT)"

# A REJECT is a REJECT, and the reset it sends is labelled as such.
telnet=(-i eth0 -s 192.0.2.1 -d 192.0.2.2 -p tcp --dport 23 --syn)
expect "explain reject" 0 "$iptsim" trace --format explain rules.v4 "${telnet[@]}"
same "explain reject: the reply is marked, the verdict is REJECT" "$out" "\
filter:INPUT:rule:2              rules.v4:7: -A INPUT -p tcp --dport 23 -j REJECT --reject-with tcp-reset
  (REJECT's reply, which the kernel sends now: tcp 192.0.2.2:23 -> 192.0.2.1:40000 RST ACK, out eth0)
  filter:OUTPUT:policy:1         policy ACCEPT
  (end of REJECT's reply)
verdict: REJECT by filter:INPUT:rule:2 (rules.v4:7: -A INPUT -p tcp --dport 23 -j REJECT --reject-with tcp-reset)
path: local-in (PREROUTING, INPUT)"
expect "json reject" 0 "$iptsim" trace --format json rules.v4 "${telnet[@]}"
contains "json: the reply's entries are marked" "$out" \
  '{"event":"rule","table":"filter","chain":"OUTPUT","label":"policy","number":1,"traced":false,"generated":"reject-reply","rule":null'
contains "json: REJECT and the deciding rule" "$out" \
  '{"event":"verdict","verdict":"REJECT","table":"filter","chain":"INPUT","path":"local-in","default_path":false,"decided_by":{"table":"filter","chain":"INPUT","label":"rule","number":2,"rule":"-A INPUT -p tcp --dport 23 -j REJECT --reject-with tcp-reset","source":"rules.v4:7"},"via":[],"packet":1}'

# Many packets: a note that holds for each is printed once with a count,
# each packet gets its answer, and a closing summary counts the verdicts.
cat >packets <<'EOF'
-i eth0 -s 192.0.2.1 -d 192.0.2.2 -p tcp --dport 22
-i eth0 -s 10.1.2.3 -d 192.0.2.2 -p tcp --dport 22
-i eth0 -s 192.0.2.1 -d 192.0.2.2 -p tcp --dport 23 --syn
EOF
expect "three packets" 0 "$iptsim" trace --packets packets rules.v4
same "three packets: stderr" "$err" "\
iptsim trace: note: packet 1 (packets:1): no TRACE rule matched, so the kernel would log no TRACE line (add a raw-table TRACE rule, or use --trace-all; --format explain lists every rule the packet matched)
iptsim trace: packet 1 (packets:1): ACCEPT by filter:SSH:return:2 (rules.v4:9: -A SSH -j ACCEPT)
  via: filter:INPUT:rule:1 (rules.v4:6: -A INPUT -p tcp --dport 22 -j SSH)
  path: local-in (PREROUTING, INPUT)
iptsim trace: note: packet 1 (packets:1): filter:SSH:return:2 is a rule, which the kernel labels 'return' because it has no condition and a built-in verdict (docs/kernel-trace.md §2.1)
iptsim trace: packet 2 (packets:2): DROP by filter:INPUT:policy:3 (policy DROP)
  path: local-in (PREROUTING, INPUT)
iptsim trace: packet 3 (packets:3): REJECT by filter:INPUT:rule:2 (rules.v4:7: -A INPUT -p tcp --dport 23 -j REJECT --reject-with tcp-reset)
  path: local-in (PREROUTING, INPUT)
iptsim trace: note: ... and the same for 2 more packets: no TRACE rule matched, so the kernel would log no TRACE line (add a raw-table TRACE rule, or use --trace-all; --format explain lists every rule the packet matched)
iptsim trace: 3 packets: 1 ACCEPT, 1 DROP, 1 REJECT"
expect "three packets, quiet" 0 "$iptsim" trace -q --packets packets rules.v4
same "quiet: no notes, answers or summary" "$err" ""

# Headers say where each packet came from and what it is.
expect "headers" 0 "$iptsim" trace --packet-headers --format explain --packets packets rules.v4
contains "header of packet 2" "$out" "== packet 2 (packets:2): tcp 10.1.2.3:40000 -> 192.0.2.2:22 SYN, in eth0"
contains "header of packet 3" "$out" "== packet 3 (packets:3): tcp 192.0.2.1:40000 -> 192.0.2.2:23 SYN, in eth0"
contains "explain: the summary is on stderr" "$err" "iptsim trace: 3 packets: 1 ACCEPT, 1 DROP, 1 REJECT"

# With a TRACE rule the kernel format prints exactly the kernel's lines; the
# answer still follows on stderr.
{ printf '*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -j TRACE\nCOMMIT\n'; cat rules.v4; } >traced.v4
expect "traced" 0 "$iptsim" trace traced.v4 "${ssh[@]}"
contains "traced: the kernel's last line" "$out" "TRACE: filter:SSH:return:2 IN=eth0 OUT= "
same "traced: no note, the answer" "$err" "\
iptsim trace: packet 1: ACCEPT by filter:SSH:return:2 (traced.v4:14: -A SSH -j ACCEPT)
  via: filter:INPUT:rule:1 (traced.v4:11: -A INPUT -p tcp --dport 22 -j SSH)
  path: local-in (PREROUTING, INPUT)
iptsim trace: note: packet 1: filter:SSH:return:2 is a rule, which the kernel labels 'return' because it has no condition and a built-in verdict (docs/kernel-trace.md §2.1)"

# The jumps that led to the deciding rule, past a goto and a RETURN: a goto
# leaves no return address, so B's end returns to INPUT (docs/kernel-trace.md §2.1).
cat >goto.v4 <<'EOF'
*filter
:INPUT ACCEPT [0:0]
:A - [0:0]
:B - [0:0]
:C - [0:0]
-A INPUT -j A
-A INPUT -p udp -j DROP
-A A -g B
-A B -j C
-A C -p tcp -j RETURN
-A B -p tcp -j DROP
COMMIT
EOF
expect "goto, tcp" 0 "$iptsim" trace goto.v4 -i eth0 -p tcp --dport 80
same "goto, tcp: via the jump and the goto, not the returned jump" "$err" "\
iptsim trace: note: packet 1: no TRACE rule matched, so the kernel would log no TRACE line (add a raw-table TRACE rule, or use --trace-all; --format explain lists every rule the packet matched)
iptsim trace: packet 1: DROP by filter:B:rule:2 (goto.v4:11: -A B -p tcp -j DROP)
  via: filter:INPUT:rule:1 (goto.v4:6: -A INPUT -j A)
  via: filter:A:rule:1 (goto.v4:8: -A A -g B)
  path: local-in (PREROUTING, INPUT)"
expect "goto, udp" 0 "$iptsim" trace --quiet --format json goto.v4 -i eth0 -p udp --dport 80
contains "goto, udp: back in INPUT, no jumps left" "$out" \
  '"decided_by":{"table":"filter","chain":"INPUT","label":"rule","number":2,"rule":"-A INPUT -p udp -j DROP","source":"goto.v4:7"},"via":[],"packet":1}'

echo "cli_answers: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
