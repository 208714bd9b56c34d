#!/bin/bash
# `iptsim replay RULES LOG` as a user sees it (docs/replay.md), on kernel
# lines captured from the kernel: corpus/scenarios/flow-connmark-local
# (a local TCP service: SYN in, SYN-ACK out, ACK in; its `expected` holds
# the kernel's TRACE lines) and tests/data/captures/xtables-monitor-trace.txt
# (xtables-monitor --trace).  Checked: every packet equal; a ruleset changed
# by one rule reported at the kernel's line with the rule's failing
# condition, and the packets after it that the change affects; a table
# missing from RULES; lost lines; the monitor capture in both families;
# stdin; usage and bad input (exit 2); the log streamed (a bad line after
# packets, a line over 1 MiB, peak memory over a long log); a socket's
# owner hidden by a first LOG line without --log-uid; and trace
# --from-log reading a log file with kmsg, dmesg -T and journal prefixes.
# usage: cli_replay.sh IPTSIM SOURCE_DIR
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
exactly() {  # exactly NAME FILE (the wanted text on stdin)
  if diff <(cat) "$2" >"$tmp/diff"; then pass=$((pass + 1)); else
    echo "FAIL $1: (< wanted, > got)"; sed 's/^/    /' "$tmp/diff" | head -16; fail=$((fail + 1)); fi
}

scen=$src/corpus/scenarios/flow-connmark-local
cp "$scen/rules" "$tmp/rules.v4"
"$src/tests/scenario_host.sh" "$scen" >"$tmp/host"
grep -v '^== packet' "$scen/expected" >"$tmp/kernel.lines"
# The kernel's 16 lines as journalctl -k shows them, with a line of sshd's.
{ sed -n 1,5p "$tmp/kernel.lines" | sed 's/^/Dec 07 20:29:25 fw kernel: /'
  echo "Dec 07 20:29:25 fw sshd[812]: Accepted publickey for root"
  sed -n '6,$p' "$tmp/kernel.lines" | sed 's/^/Dec 07 20:29:25 fw kernel: /'; } >"$tmp/journal.log"

# 1. The kernel's own log against the kernel's own ruleset: all equal.
expect "equal" 0 "$iptsim" replay --host host rules.v4 journal.log
exactly "equal: the report" "$out" <<'W'
packet 1 (journal.log:1): equal (7 lines)
packet 2 (journal.log:9): equal (5 lines)
packet 3 (journal.log:14): equal (4 lines)
iptsim replay: 3 packets: 3 equal, 0 different; 17 log lines, 1 skipped
W

# 2. LOG from stdin, as dmesg prints it.
expect "stdin" 0 sh -c "sed 's/^/[ 5.000001] /' kernel.lines | '$iptsim' replay --host host rules.v4 -"
exactly "stdin: the summary" <(tail -1 "$out") <<'W'
iptsim replay: 3 packets: 3 equal, 0 different; 16 log lines, 0 skipped
W

# 3. One rule changed: the SSH rule's port 22 becomes 2222.  The kernel's
# line 7 (journal.log) shows filter:INPUT:rule:5 matched; iptsim's packet
# falls to the DROP policy (rule 8 is the policy's number: 7 rules), and
# --why says the --dport condition failed.  Packet 2, the SYN-ACK, then has
# no connection in iptsim: CONNMARK --restore-mark gives no MARK=0x2a (the
# kernel's line 12), and packet 3 is NEW in iptsim, so nat PREROUTING sees
# it where the kernel's went on to mangle INPUT.
sed 's/--dport 22 -m conntrack/--dport 2222 -m conntrack/' "$scen/rules" >"$tmp/changed.v4"
expect "one rule changed" 1 "$iptsim" replay --host host changed.v4 journal.log
first=$(sed -n 6p "$tmp/kernel.lines")
exactly "one rule changed: the report" "$out" <<W
packet 1 (journal.log:1): differs at journal.log:7
  kernel: $first
  iptsim: ${first/filter:INPUT:rule:5/filter:INPUT:policy:8}
  reason: another rule: the kernel filter:INPUT:rule:5, iptsim filter:INPUT:policy:8
    iptsim's walk at filter:INPUT:5 (the packet run again alone, from a fresh state):
    why filter:INPUT:5 (changed.v4:31: -A INPUT -p tcp -m tcp --dport 2222 -m conntrack --ctstate NEW -j ACCEPT): not reached: the packet came to the rule and did not match it; its conditions one by one:
      -p tcp                      matches
      -m tcp --dport 2222         DOES NOT MATCH
      -m conntrack --ctstate NEW  not evaluated (an earlier condition failed)
packet 2 (journal.log:9): differs at journal.log:11
  kernel: $(sed -n 10p "$tmp/kernel.lines")
  iptsim: $(sed -n 10p "$tmp/kernel.lines" | sed 's/ MARK=0x2a $/ /')
  reason: the same place, another packet: the kernel shows MARK=0x2a where iptsim shows (nothing)
packet 3 (journal.log:14): differs at journal.log:16
  kernel: $(sed -n 15p "$tmp/kernel.lines")
  iptsim: $(sed -n 15p "$tmp/kernel.lines" | sed 's/mangle:INPUT:policy:2/nat:PREROUTING:policy:1/')
  reason: another chain: the kernel mangle:INPUT:policy:2, iptsim nat:PREROUTING:policy:1
iptsim replay: 3 packets: 0 equal, 3 different; 17 log lines, 1 skipped
W

# 4. A table the kernel had and RULES has not.
awk '/^\*mangle/ { skip = 1 } skip && /^COMMIT/ { skip = 0; next } !skip' "$scen/rules" >"$tmp/nomangle.v4"
head -7 "$tmp/kernel.lines" >"$tmp/one.log"
expect "missing table" 1 "$iptsim" replay --host host nomangle.v4 one.log
exactly "missing table: the reason" <(grep 'reason' "$out") <<'W'
  reason: table mangle is not in RULES (the kernel had it loaded)
W

# 5. Lost lines: printk's rate limit dropped the 5 lines of packet 2 (the
# SYN-ACK).  iptsim never sees it, so its connection is not established
# when packet 3 comes: that packet differs, and the report says why that
# may be.
{ head -7 "$tmp/kernel.lines"; echo "[ 5.1] net_ratelimit: 5 callbacks suppressed"
  sed -n '13,$p' "$tmp/kernel.lines"; } >"$tmp/lost.log"
expect "lost lines" 1 "$iptsim" replay --host host rules.v4 lost.log
third=$(sed -n 16p "$tmp/kernel.lines")
exactly "lost lines: the report" "$out" <<W
packet 1 (lost.log:1): equal (7 lines)
packet 2 (lost.log:9): differs at lost.log:12
  kernel: $third
  iptsim: ${third/filter:INPUT:rule:1/filter:INPUT:rule:3}
  reason: another rule: the kernel filter:INPUT:rule:1, iptsim filter:INPUT:rule:3
    iptsim's walk at filter:INPUT:1 (the packet run again alone, from a fresh state):
    why filter:INPUT:1 (rules.v4:27: -A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT): not reached: the packet came to the rule and did not match it; its conditions one by one:
      -m conntrack --ctstate ESTABLISHED  DOES NOT MATCH
  note: the kernel lost lines earlier, at lost.log:8: a packet missing from the log did not change the state (conntrack, limits) this one met
lost.log:8: lines lost: net_ratelimit: 5 callbacks suppressed
iptsim replay: 2 packets: 1 equal, 1 different; 12 log lines, 0 skipped; 5 lines lost in 1 place
W

# 6. xtables-monitor --trace (iptables-nft): both families of the capture.
cap=$src/tests/data/captures
expect "monitor v4" 0 "$iptsim" replay "$cap/xtables-monitor-trace.v4" "$cap/xtables-monitor-trace.txt"
exactly "monitor v4: the summary" <(tail -1 "$out") <<'W'
iptsim replay: 9 packets: 9 equal, 0 different; 101 log lines, 3 skipped, 40 IPv6 (the ruleset is IPv4)
W
expect "monitor v6" 0 "$iptsim" replay "$cap/xtables-monitor-trace.v6" "$cap/xtables-monitor-trace.txt"
exactly "monitor v6: the summary" <(tail -1 "$out") <<'W'
iptsim replay: 8 packets: 8 equal, 0 different; 101 log lines, 3 skipped, 58 IPv4 (the ruleset is IPv6)
W

# 6b. A LOG line where the ruleset's raw TRACE rule makes iptsim trace the
# packet from PREROUTING on: the kernel would have logged TRACE lines first.
echo 'Dec  7 20:29:25 fw kernel: [ 1.0] in: IN=eth0 OUT= MAC= SRC=10.0.0.1 DST=10.0.0.2 LEN=28 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=UDP SPT=1 DPT=2 LEN=8 ' >"$tmp/log-only.log"
expect "LOG line against TRACE" 1 "$iptsim" replay "$cap/xtables-monitor-trace.v4" log-only.log
exactly "LOG line against TRACE: the reason and summary" <(grep -E 'reason|^iptsim' "$out") <<'W'
  reason: the kernel logged a LOG line where iptsim logs a TRACE line (a LOG rule matched in the kernel, or iptsim traces more: is the log's TRACE rule in RULES?)
iptsim replay: 1 packet: 0 equal, 1 different; 1 log line, 0 skipped
W

# 7. Usage and bad input: exit 2 with the message.
expect "no LOG" 2 "$iptsim" replay rules.v4
exactly "no LOG: the message" "$err" <<'W'
iptsim replay: error: LOG is missing (iptsim replay RULES LOG; LOG is a file or -)
Try 'iptsim help' for usage.
W
expect "two LOGs" 2 "$iptsim" replay rules.v4 a.log b.log
expect "both stdin" 2 "$iptsim" replay - -
printf 'hello\nworld\n' >"$tmp/none.log"
expect "no records" 2 "$iptsim" replay rules.v4 none.log
exactly "no records: the message" "$err" <<'W'
iptsim replay: none.log: no kernel TRACE/LOG line, xtables-monitor line or lost-lines note in 2 lines
W
sed -n 1p "$tmp/kernel.lines" | sed 's/SRC=10.200.3.1 /SRC=10.200.3.300 /; s/^/[ 1.0] /' >"$tmp/bad.log"
expect "bad line" 2 "$iptsim" replay --host host rules.v4 bad.log
head -1 "$err" | grep -qE '^bad.log:1:[0-9]+: error: ' && pass=$((pass + 1)) ||
  { echo "FAIL bad line: no bad.log:1:COL: error:"; head -3 "$err"; fail=$((fail + 1)); }

# 8. trace --from-log FILE reads the same log forms (a packet per line: the
# packets' first lines with kmsg, dmesg -T and journal prefixes, and a
# lost-lines note it ignores) and prints the kernel's lines again.
awk '/^== packet/ { w = 1; next } w { print; w = 0 }' "$scen/expected" |
  awk '{ m = NR % 3
         if (m == 1) print "6," NR ",5678,-;" $0
         else if (m == 2) print "[Mon Dec  7 20:29:25 2026] " $0
         else print "2026-12-07T20:29:25+0000 fw kernel: " $0 }
       END { print "Dec  7 20:29:26 fw kernel: net_ratelimit: 3 callbacks suppressed" }' >"$tmp/first.log"
expect "trace --from-log FILE" 0 "$iptsim" trace --quiet --packet-headers --host host --from-log first.log rules.v4
exactly "trace --from-log FILE: the kernel's lines" <(sed 's/^\(== packet [0-9]*\).*/\1/' "$out") <"$scen/expected"

# 9. The log is streamed (docs/replay.md, "Memory"): a bad record after
# complete packets stops the replay with its error after their reports; a
# line over 1 MiB is skipped, not kept; memory does not grow with the log.
{ sed 's/^/[ 1.0] /' "$tmp/kernel.lines"; head -c 1100000 /dev/zero | tr '\0' x; echo
  sed -n 1p "$tmp/kernel.lines" | sed 's/SRC=10.200.3.1 /SRC=10.200.3.300 /'; } >"$tmp/late.log"
expect "bad line after packets" 2 "$iptsim" replay --host host rules.v4 late.log
exactly "bad line after packets: the packets before it" "$out" <<'W'
packet 1 (late.log:1): equal (7 lines)
packet 2 (late.log:8): equal (5 lines)
packet 3 (late.log:13): equal (4 lines)
W
head -1 "$err" | grep -qE '^late.log:18:[0-9]+: error: ' && pass=$((pass + 1)) ||
  { echo "FAIL bad line after packets: no late.log:18:COL: error:"; head -3 "$err"; fail=$((fail + 1)); }
sed '$d' "$tmp/late.log" >"$tmp/long.log"
expect "a line over 1 MiB" 0 "$iptsim" replay --host host rules.v4 long.log
exactly "a line over 1 MiB: skipped" <(tail -1 "$out") <<'W'
iptsim replay: 3 packets: 3 equal, 0 different; 17 log lines, 1 skipped
W
# 60,000 packets (120,000 lines, 26 MB) through a ruleset without conntrack:
# held whole, the log and its packets took about 145 MB; streamed, 7 MB.
memory_under() {  # LABEL KB: the peak memory of the last run, from $tmp/rss
  if [ "$(cat "$tmp/rss")" -lt "$2" ]; then pass=$((pass + 1))
  else echo "FAIL $1: peak memory $(cat "$tmp/rss") KB, want under $2"; fail=$((fail + 1)); fi
}
if [ -n "${IPTSIM_SANITIZED:-}" ]; then
  # Peak memory means nothing under ASan (its shadow memory and quarantine),
  # and these 120,000-line runs take minutes there: the optimised build runs them.
  echo "SKIP the long log and monitor capture: a sanitizer build (memory bounds not meaningful)"
else
printf '*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -j TRACE\nCOMMIT\n*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n' >"$tmp/small.v4"
awk 'BEGIN { for (i = 0; i < 60000; i++)
  printf "-i eth0 -s 10.%d.%d.%d -d 192.0.2.1 -p tcp --sport %d --dport 22 --syn\n",
         int(i / 65536) % 256, int(i / 256) % 256, i % 256, 1024 + i % 60000 }' >"$tmp/many.packets"
"$iptsim" trace --quiet --packets "$tmp/many.packets" "$tmp/small.v4" 2>/dev/null >"$tmp/many.log"
expect "a long log" 0 /usr/bin/time -o "$tmp/rss" -f %M "$iptsim" replay small.v4 many.log
exactly "a long log: the summary" <(tail -1 "$out") <<'W'
iptsim replay: 60000 packets: 60000 equal, 0 different; 120000 log lines, 0 skipped
W
memory_under "a long log" 40000
# The same packets as xtables-monitor shows them (300,000 lines): the trace
# ids' groups are held only while they may grow: 10 MB in 3.5 s (held
# whole, 189 MB in 96 s).
"$iptsim" trace --format nft --quiet --packets "$tmp/many.packets" "$tmp/small.v4" 2>/dev/null >"$tmp/many.mon"
expect "a long monitor capture" 0 /usr/bin/time -o "$tmp/rss" -f %M "$iptsim" replay small.v4 many.mon
exactly "a long monitor capture: the summary" <(tail -1 "$out") <<'W'
iptsim replay: 60000 packets: 60000 equal, 0 different; 300000 log lines, 0 skipped
W
memory_under "a long monitor capture" 40000
fi

# 10. A packet leaving the host whose first line is a LOG line without
# --log-uid (corpus/scenarios/log-raw-output, the kernel's lines): the
# socket's owner comes from its next line (TRACE lines show UID=), also with
# a second such packet's lines (uid 1000, iptsim's) interleaved line by line.
lro=$src/corpus/scenarios/log-raw-output
"$src/tests/scenario_host.sh" "$lro" >"$tmp/lro.host"
grep -v '^== packet' "$lro/expected" >"$tmp/lro.lines"
expect "owner from the next line" 0 "$iptsim" replay --host lro.host "$lro/rules" lro.lines
exactly "owner from the next line: the report" "$out" <<'W'
packet 1 (lro.lines:1): equal (6 lines)
iptsim replay: 1 packet: 1 equal, 0 different; 6 log lines, 0 skipped
W
"$iptsim" trace --quiet --host "$tmp/lro.host" "$lro/rules" -o e0 -s 10.200.4.2 -d 10.200.4.1 \
  --uid 1000 -p udp --sport 3 --dport 4 >"$tmp/lro2.lines"
paste -d '\n' "$tmp/lro.lines" "$tmp/lro2.lines" | sed '/^$/d' >"$tmp/lro.log"
expect "owners, interleaved" 0 "$iptsim" replay --host lro.host "$lro/rules" lro.log
exactly "owners, interleaved: the report" "$out" <<'W'
packet 1 (lro.log:1): equal (6 lines)
packet 2 (lro.log:2): equal (6 lines)
iptsim replay: 2 packets: 2 equal, 0 different; 12 log lines, 0 skipped
W

echo "cli-replay: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
