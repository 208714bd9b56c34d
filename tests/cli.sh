#!/bin/bash
# The command-line contract for check and save: exit statuses,
# stdin, -4/-6, -c, and where messages go; trace --host errors.
# usage: cli.sh IPTSIM SOURCE_DIR
set -u
iptsim=$1
src=$2
pass=0
fail=0
expect() {  # expect NAME WANT_STATUS COMMAND...
  local name=$1 want=$2
  shift 2
  "$@" >/tmp/cli.$$.out 2>/tmp/cli.$$.err
  local got=$?
  if [ "$got" -eq "$want" ]; then
    pass=$((pass + 1))
  else
    echo "FAIL $name: exit $got, want $want"
    sed 's/^/    /' /tmp/cli.$$.err | head -5
    fail=$((fail + 1))
  fi
}
contains() {  # contains NAME FILE TEXT
  if grep -qF -- "$3" "$2"; then pass=$((pass + 1)); else
    echo "FAIL $1: '$3' not in output:"; sed 's/^/    /' "$2" | head -5; fail=$((fail + 1)); fi
}

expect "check ok" 0 "$iptsim" check "$src/corpus/reference/captures/e7-iptables-save.txt"
contains "check summary" /tmp/cli.$$.out "OK: IPv4, 4 tables (raw,mangle,nat,filter)"
expect "check errors exit 2" 2 "$iptsim" check "$src/corpus/examples/broken.v4"
contains "errors on stderr" /tmp/cli.$$.err "broken.v4:10:49: error: unknown target 'ACCPET', did you mean 'ACCEPT'?"
contains "error count" /tmp/cli.$$.err "3 errors"
expect "missing file" 2 "$iptsim" check /nonexistent/rules.v4
contains "missing file message" /tmp/cli.$$.err "cannot open '/nonexistent/rules.v4'"
expect "no RULES" 2 "$iptsim" check
expect "unknown option" 2 "$iptsim" check --frobnicate x
expect "unknown command" 2 "$iptsim" frobnicate
expect "stdin" 0 sh -c "printf '*filter\n-A INPUT -j ACCEPT\nCOMMIT\n' | '$iptsim' check -"
contains "stdin name" /tmp/cli.$$.out "<stdin>: OK"
expect "forced -6" 0 sh -c "printf '*filter\n-A INPUT -s ::1 -j ACCEPT\nCOMMIT\n' | '$iptsim' check -6 -"
expect "forced -4 on IPv6 text" 2 sh -c "printf '*filter\n-A INPUT -s ::1 -j ACCEPT\nCOMMIT\n' | '$iptsim' check -4 -"
expect "save counters" 0 "$iptsim" save -c "$src/corpus/reference/captures/e7-save-counters-B.txt"
contains "rule counters printed" /tmp/cli.$$.out "[1:33] -A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT"
expect "save no counters" 0 "$iptsim" save "$src/corpus/reference/captures/e7-save-counters-B.txt"
if grep -q '^\[' /tmp/cli.$$.out; then echo "FAIL counters printed without -c"; fail=$((fail + 1)); else pass=$((pass + 1)); fi
expect "save of a bad file" 2 "$iptsim" save "$src/corpus/examples/broken.v4"
if [ -s /tmp/cli.$$.out ]; then echo "FAIL save printed a model despite errors"; fail=$((fail + 1)); else pass=$((pass + 1)); fi
expect "NUL byte" 2 sh -c "printf '*filter\n\0\nCOMMIT\n' | '$iptsim' check -"
expect "help" 0 "$iptsim" help
expect "--connected needs --uid" 2 "$iptsim" trace "$src/corpus/scenarios/log-basic/rules" -o e0 -p udp --connected
expect "--connected on a received packet" 2 "$iptsim" trace "$src/corpus/scenarios/log-basic/rules" -i d0 -p udp --uid 0 --connected

# --- trace: packet inputs (--packets, --from-log, --pcap), --packet-headers, --why/--expect
same() {  # same NAME OUTPUT CAPTURE (the words after "== packet N" cut, as the capture has none)
  if cmp -s <(sed -E 's/^(== packet [0-9]+)[ :].*/\1/' "$2") <(sed -E 's/^(== packet [0-9]+)[ :].*/\1/' "$3"); then pass=$((pass + 1)); else
    echo "FAIL $1: outputs differ:"; diff "$2" "$3" | head -6 | sed 's/^/    /'; fail=$((fail + 1)); fi
}
t=/tmp/cli.$$.d
mkdir -p "$t"
sc=$src/corpus/scenarios/log-basic
pc=$src/corpus/fuzz/pcap
expect "packets file" 0 "$iptsim" trace --packet-headers --packets "$sc/packets" "$sc/rules"
same "packets file = kernel capture" /tmp/cli.$$.out "$sc/expected"
expect "packets on stdin" 0 sh -c "'$iptsim' trace --packet-headers --packets - '$sc/rules' <'$sc/packets'"
same "packets stdin = kernel capture" /tmp/cli.$$.out "$sc/expected"
printf '# c\n\n-p tcp --dport 22\n  -p tcp --dprot 22 # typo\n' >"$t/bad.pk"
expect "bad packets file" 2 "$iptsim" trace --packets "$t/bad.pk" "$sc/rules"
contains "packets error position" /tmp/cli.$$.err "$t/bad.pk:4:10: error: unknown packet option '--dprot', did you mean '--dport'?"
contains "packets error caret" /tmp/cli.$$.err "         ^~~~~~~"
if [ -s /tmp/cli.$$.out ]; then echo "FAIL output before a bad packet line"; fail=$((fail + 1)); else pass=$((pass + 1)); fi
expect "packets and rules both stdin" 2 sh -c "'$iptsim' trace --packets - - </dev/null"
expect "missing packets file" 2 "$iptsim" trace --packets /nonexistent/p "$sc/rules"
expect "packet headers not with json" 2 "$iptsim" trace --packet-headers --format json "$sc/rules"
expect "no words: one default packet" 0 "$iptsim" trace --format explain "$sc/rules"
contains "default packet" /tmp/cli.$$.out "verdict:"
# --from-log: the kernel's first line of a packet gives the packet back.
first=$(sed -n 2p "$sc/expected")
expect "from-log" 0 "$iptsim" trace --from-log "$first" "$sc/rules"
sed -n 2,5p "$sc/expected" >"$t/want1"
same "from-log replays the kernel's packet" /tmp/cli.$$.out "$t/want1"
second=$(sed -n 7p "$sc/expected")
expect "from-log twice" 0 "$iptsim" trace --packet-headers --from-log "$first" --from-log="$second" "$sc/rules"
same "from-log twice = kernel capture" /tmp/cli.$$.out "$sc/expected"
expect "from-log bad line" 2 "$iptsim" trace --from-log "IN=d0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=2x" "$sc/rules"
contains "from-log error" /tmp/cli.$$.err "--from-log:1:38: error: bad number '2x' (at most 65535)"
expect "from-log IPv6 line, IPv4 rules" 2 "$iptsim" trace --from-log "IN=d0 OUT= SRC=::1 DST=::2 LEN=40 TC=0 HOPLIMIT=1 FLOWLBL=0 PROTO=59 " "$sc/rules"
contains "from-log family" /tmp/cli.$$.err "an IPv6 packet, but the ruleset is IPv4"
# --pcap: every link type gives the packets packets.txt describes.
"$iptsim" trace --trace-all --packets "$pc/packets.txt" "$sc/rules" >"$t/spec.out" 2>/dev/null
sed 's/MAC=[^ ]* //' "$t/spec.out" >"$t/spec.nomac"
expect "pcap ethernet" 0 "$iptsim" trace --trace-all --pcap "$pc/eth.pcap" "$sc/rules" -i d0
same "pcap ethernet = packet specs" /tmp/cli.$$.out "$t/spec.out"
contains "pcap skips ARP" /tmp/cli.$$.err "1 frame skipped (frame 3: not an IP packet (ethertype 0x0806))"
expect "pcapng with if_name and direction" 0 "$iptsim" trace --trace-all --pcap "$pc/eth-in.pcapng" "$sc/rules"
same "pcapng = packet specs" /tmp/cli.$$.out "$t/spec.out"
for f in raw-be-ns.pcap sll.pcap sll2.pcap; do
  expect "pcap $f" 0 "$iptsim" trace --trace-all --pcap "$pc/$f" "$sc/rules" -i d0
  sed 's/MAC=[^ ]* //' /tmp/cli.$$.out >"$t/got.nomac"
  same "pcap $f = packet specs (but MAC)" "$t/got.nomac" "$t/spec.nomac"
done
expect "pcap raw IP has no MAC" 0 "$iptsim" trace --trace-all --pcap "$pc/raw-be-ns.pcap" "$sc/rules" -i d0
contains "raw IP: MAC= empty" /tmp/cli.$$.out "IN=d0 OUT= MAC= SRC=10.200.3.1"
expect "pcap sent frames" 0 "$iptsim" trace --format explain --pcap "$pc/sll2-out.pcap" "$sc/rules" -i d0
contains "pcap sent frames are local-out" /tmp/cli.$$.out "path: local-out"
if grep -q "local-in" /tmp/cli.$$.out; then echo "FAIL -i applied to sent frames"; fail=$((fail + 1)); else pass=$((pass + 1)); fi
expect "pcap without interface" 0 "$iptsim" trace --format explain --pcap "$pc/raw-be-ns.pcap" "$sc/rules"
contains "pcap without interface: local" /tmp/cli.$$.out "path: local-out"
contains "pcap without interface: note" /tmp/cli.$$.err "2 frames with no interface name or no direction"
expect "pcap -i and -o: forwarded" 0 "$iptsim" trace --format explain --pcap "$pc/sll2-out.pcap" "$sc/rules" -i d0 -o e0
contains "pcap forwarded" /tmp/cli.$$.out "path: forward"
# Real captures (tcpdump in a namespace): Ethernet, SLL2 and SLL with ns timestamps.
expect "pcap real Ethernet" 0 "$iptsim" trace --trace-all --pcap "$pc/real-eth.pcap" "$sc/rules" -i d0
contains "real: UDP" /tmp/cli.$$.out "TRACE: raw:PREROUTING:rule:1 IN=d0 OUT= MAC=02:00:00:00:00:02:02:00:00:00:00:01:08:00 SRC=10.200.3.1 DST=10.200.3.2 LEN=33 TOS=0x00 PREC=0x00 TTL=64 ID=6440 DF PROTO=UDP SPT=54142 DPT=9100 LEN=13 "
contains "real: ICMP error" /tmp/cli.$$.out "PROTO=ICMP TYPE=3 CODE=3 [SRC=10.200.3.1 DST=10.200.3.2 LEN=33 TOS=0x00 PREC=0x00 TTL=64 ID=6440 DF PROTO=UDP SPT=54142 DPT=9100 LEN=13 ] "
contains "real: SYN options" /tmp/cli.$$.out "SPT=42178 DPT=22 SEQ=1613197634 ACK=0 WINDOW=64240 RES=0x00 SYN URGP=0 OPT (020405B40402080A3C87A462000000000103030A) "
contains "real: IPv6 noise skipped" /tmp/cli.$$.err "10 frames skipped (frame 1: an IPv6 packet in an IPv4 simulation)"
for f in real-sll2.pcap real-sll-ns.pcap; do
  expect "pcap $f" 0 "$iptsim" trace --format explain --pcap "$pc/$f" "$sc/rules" -i d0
  if [ "$(grep -c 'path: local-in' /tmp/cli.$$.out)/$(grep -c 'path: local-out' /tmp/cli.$$.out)" = 2/2 ]; then
    pass=$((pass + 1)); else echo "FAIL $f: want 2 received and 2 sent packets"; fail=$((fail + 1)); fi
done
expect "pcap cut short" 2 "$iptsim" trace --pcap "$pc/cut.pcap" "$sc/rules"
contains "pcap cut message" /tmp/cli.$$.err "cut.pcap: record of 60 bytes runs past the end of the file (at byte 176)"
expect "pcap link type" 2 "$iptsim" trace --pcap "$pc/linktype-999.pcap" "$sc/rules"
contains "pcap link type message" /tmp/cli.$$.err "frame 1: link type 999 is not supported"
expect "pcap not a capture" 2 "$iptsim" trace --pcap "$sc/rules" "$sc/rules"
contains "pcap magic" /tmp/cli.$$.err "not a pcap or pcapng file"
expect "pcap with packet options" 2 "$iptsim" trace --pcap "$pc/eth.pcap" "$sc/rules" -p udp
contains "pcap metadata only" /tmp/cli.$$.err "not '-p'"
expect "pcap IPv6" 0 sh -c "printf '*filter\n-A INPUT -s ::1 -j ACCEPT\nCOMMIT\n' | '$iptsim' trace --trace-all --pcap '$pc/v6.pcap' - -i d0"
contains "pcap IPv6 packet" /tmp/cli.$$.out "SRC=fd00:0200:0003:0000:0000:0000:0000:0001 DST=fd00:0200:0003:0000:0000:0000:0000:0002 LEN=52 TC=0 HOPLIMIT=64 FLOWLBL=0 PROTO=UDP SPT=1111 DPT=9100 LEN=12"
# --why / --expect
why=$src/corpus/examples/why.v4
expect "why: a condition fails" 0 "$iptsim" trace --format explain --why filter:INPUT:4 "$why" -i eth0 -s 192.168.1.1 -p tcp --dport 22
contains "why: came to it" /tmp/cli.$$.out "not reached: the packet came to the rule and did not match it"
contains "why: failing part" /tmp/cli.$$.out "  -s 10.0.0.0/8       DOES NOT MATCH"
contains "why: other parts" /tmp/cli.$$.out "  -m mark --mark 0x5  matches"
expect "expect: ended earlier" 1 "$iptsim" trace --format explain --expect filter:INPUT:4 "$why" -i eth0 -s 10.2.0.1 -p udp --dport 53
contains "expect: the earlier rule" /tmp/cli.$$.out "  filter:INPUT:2 ($why:7: -A INPUT -p udp --dport 53 -j DROP) -> DROP"
contains "expect: message" /tmp/cli.$$.err "expected rule filter:INPUT:4 not reached"
expect "why: RETURN ends a user chain" 0 "$iptsim" trace --format explain --why filter:SSH:2 "$why" -i eth0 -s 10.1.0.1 -p tcp --dport 22
contains "why: RETURN" /tmp/cli.$$.out "  filter:SSH:1 ($why:11: -A SSH -s 10.1.0.0/16 -j RETURN) -> RETURN"
expect "expect: reached" 0 "$iptsim" trace --format explain --expect filter:SSH:2 "$why" -i eth0 -s 10.2.0.1 -p tcp --dport 22
contains "expect: reached line" /tmp/cli.$$.out "reached (the rule matched)"
expect "why: never entered" 0 "$iptsim" trace --format explain --why filter:SSH:1 "$why" -i eth0 -s 10.2.0.1 -p tcp --dport 80
contains "why: never entered line" /tmp/cli.$$.out "not reached: the packet never entered filter:SSH"
contains "why: who jumps there" /tmp/cli.$$.out "  jumps there: filter:INPUT:4"
expect "why: other path" 0 "$iptsim" trace --format explain --why filter:INPUT:1 "$why" -o eth0
contains "why: path" /tmp/cli.$$.out "never entered filter:INPUT (its path: local-out)"
expect "expect with kernel format: report on stderr" 1 "$iptsim" trace --expect filter:INPUT:4 "$why" -i eth0 -p udp --dport 53
contains "expect on stderr" /tmp/cli.$$.err "not reached: an earlier rule ended the walk"
expect "why: no such rule" 2 "$iptsim" trace --why filter:SSH:9 "$why"
contains "why: rule count" /tmp/cli.$$.err "filter:SSH has 2 rules, no rule 9"
expect "why: no such table" 2 "$iptsim" trace --why nat:X:1 "$why"
expect "why: malformed" 2 "$iptsim" trace --why filter "$why"
rm -rf "$t"
# trace --host (docs/host.md): bad host files exit 2 with file:line:col, packets that
# contradict the host exit 2 with the reason.
rules=$src/corpus/scenarios/path-route-forward/rules
printf 'iface d0,addr=10.200.3.2/24\nroute 10.1.0.0/16 dev d9\n' >/tmp/cli.$$.host
expect "bad host file" 2 "$iptsim" trace --host /tmp/cli.$$.host "$rules" -i d0 -d 10.200.3.2
contains "host file error" /tmp/cli.$$.err "/tmp/cli.$$.host:2:23: error: route: unknown interface 'd9' (did you mean 'd0'?)"
expect "missing host file" 2 "$iptsim" trace --host /nonexistent/host "$rules" -i d0 -d 10.200.3.2
contains "missing host file message" /tmp/cli.$$.err "/nonexistent/host: error: cannot read the host file"
json=$src/tests/data/host/netns-router.json
expect "host json: frame to another MAC" 0 "$iptsim" trace --host "$json" "$rules" -i d0 -s 10.200.3.1 -d 8.8.8.8 -p udp --dport 7777
contains "PACKET_OTHERHOST note" /tmp/cli.$$.err "the kernel drops it as PACKET_OTHERHOST before PREROUTING (give --mac-dst ee:8d:88:ea:4f:f1)"
expect "host json" 0 "$iptsim" trace --host "$json" "$rules" -i d0 --mac-dst ee:8d:88:ea:4f:f1 -s 10.200.3.1 -d 8.8.8.8 -p udp --dport 7777
contains "host json routes" /tmp/cli.$$.out "TRACE: filter:FORWARD:rule:1 IN=d0 OUT=e0 "
expect "unknown -i" 2 "$iptsim" trace --host "$src/tests/data/host/netns-router.json" "$rules" -i x0 -d 8.8.8.8
contains "unknown -i message" /tmp/cli.$$.err "packet 1: -i x0 is not an interface of the host"
expect "-o against routing" 2 "$iptsim" trace --host "$src/tests/data/host/netns-router.json" "$rules" -i d0 -o d0 --mac-dst ee:8d:88:ea:4f:f1 -s 10.200.3.1 -d 8.8.8.8
contains "-o against routing message" /tmp/cli.$$.err "routing forwards the packet out e0 (route to 8.8.8.8), but the packet says -o d0"
rm -f /tmp/cli.$$.host
rm -f /tmp/cli.$$.out /tmp/cli.$$.err
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
