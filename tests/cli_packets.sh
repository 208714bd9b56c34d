#!/bin/bash
# Packets as the user writes them, checked against kernel captures
# (tests/data/captures/README.md says how each was made):
#   - an ICMP/ICMPv6 error's --payload-hex is the body after the ICMP header,
#     which the kernel reads as the embedded packet (LOG prints it in [ ]);
#   - --inner nests at most 8 deep, with a clear error beyond;
#   - --from-log reads xtables-monitor --trace output (a line, a file, stdin):
#     one packet per trace id, rebuilt from its PACKET lines (and kernel
#     LOG/TRACE lines from a file, one packet each).
# usage: cli_packets.sh IPTSIM SOURCE_DIR
set -u
iptsim=$1
src=$2
data=$src/tests/data/captures
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out err=$tmp/err
expect() {  # expect NAME WANT_STATUS COMMAND...
  local name=$1 want=$2
  shift 2
  "$@" >"$out" 2>"$err"
  local got=$?
  if [ "$got" -eq "$want" ]; then pass=$((pass + 1)); else
    echo "FAIL $name: exit $got, want $want"; sed 's/^/    /' "$err" | head -5; fail=$((fail + 1)); fi
}
same() {  # same NAME GOT_FILE WANT_FILE
  if cmp -s "$2" "$3"; then pass=$((pass + 1)); else
    echo "FAIL $1 (< want, > got):"; diff "$3" "$2" | head -10 | sed 's/^/    /'; fail=$((fail + 1)); fi
}
contains() {  # contains NAME FILE TEXT
  if grep -qF -- "$3" "$2"; then pass=$((pass + 1)); else
    echo "FAIL $1: '$3' not in output:"; sed 's/^/    /' "$2" | head -8; fail=$((fail + 1)); fi
}

# --- ICMP error payloads --------------------------------------------------
# The kernel's LOG lines for an ICMP port unreachable (v4) and an ICMPv6
# port unreachable (v6) whose bodies are a UDP datagram with 4 data bytes,
# sent from a raw socket (icmp-error-payload-send.py).
inner4=4500002000010000401166b80a0900020a09000104d20035000c000061626364
inner6=60000000000c1140fd090000000000000000000000000002fd09000000000000000000000000000104d20035000c000061626364
link=(-i hpb0 --mac-src 02:00:00:00:09:01 --mac-dst 02:00:00:00:09:02)
expect "v4 error payload" 0 "$iptsim" trace "$data/icmp-error-payload.v4" "${link[@]}" \
  -s 10.9.0.1 -d 10.9.0.2 --id 19476 --df -p icmp --icmp-type 3/3 --payload-hex "$inner4"
sed -n 1p "$data/icmp-error-payload.log" >"$tmp/want"
same "v4 error payload: the kernel's LEN=60 and embedded UDP datagram" "$out" "$tmp/want"
expect "v6 error payload" 0 "$iptsim" trace "$data/icmp-error-payload.v6" "${link[@]}" \
  -s fd09::1 -d fd09::2 --flowlabel 176306 -p icmpv6 --icmpv6-type 1/4 --payload-hex "$inner6"
sed -n 2p "$data/icmp-error-payload.log" >"$tmp/want"
same "v6 error payload: the kernel's LEN=100 and embedded UDP datagram" "$out" "$tmp/want"
# --inner builds the embedded packet; the error's payload follows it.
expect "inner then payload" 0 "$iptsim" trace "$data/icmp-error-payload.v4" "${link[@]}" \
  -s 10.9.0.1 -d 10.9.0.2 -p icmp --icmp-type 3/3 --payload abcd --inner -p udp --dport 53
contains "inner then payload: LEN counts both" "$out" " LEN=60 "
contains "inner then payload: the --inner datagram" "$out" "[SRC=10.9.0.2 DST=10.9.0.1 LEN=28 TOS=0x00 PREC=0x00 TTL=64 ID=0 PROTO=UDP SPT=40000 DPT=53 LEN=8 ]"
# Neither: the default embedded packet (a TCP SYN, reversed).
expect "default embedded packet" 0 "$iptsim" trace "$data/icmp-error-payload.v4" "${link[@]}" \
  -s 10.9.0.1 -d 10.9.0.2 -p icmp --icmp-type 3/3
contains "default embedded packet: a SYN" "$out" "LEN=68 TOS=0x00 PREC=0x00 TTL=64 ID=0 PROTO=ICMP TYPE=3 CODE=3 [SRC=10.9.0.2 DST=10.9.0.1 LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=0 PROTO=TCP SPT=40000 DPT=80 WINDOW=64240 RES=0x00 SYN URGP=0 ]"

# --- --inner depth ----------------------------------------------------------
deep=()
for i in 1 2 3 4 5 6 7 8; do deep+=(-p icmp --icmp-type 3 --inner); done
expect "--inner 8 deep" 0 "$iptsim" trace "$data/icmp-error-payload.v4" -i hpb0 "${deep[@]}" -p udp
expect "--inner 9 deep" 2 "$iptsim" trace "$data/icmp-error-payload.v4" -i hpb0 "${deep[@]}" -p icmp --icmp-type 3 --inner -p udp
same "--inner 9 deep: the error" "$err" <(echo "iptsim trace: error: packet 1: --inner nested more than 8 deep (an error about an error about ...) (at '--inner')")
many=()
for i in $(seq 20000); do many+=(--inner); done
expect "--inner 20000 deep: an error, not a crash" 2 "$iptsim" trace "$data/icmp-error-payload.v4" -p icmp --icmp-type 3 "${many[@]}"
printf -- '-p icmp --icmp-type 3 %s\n' "$(printf -- '--inner %.0s' $(seq 12))" >"$tmp/deep.packets"
expect "--inner too deep in --packets" 2 "$iptsim" trace --packets "$tmp/deep.packets" "$data/icmp-error-payload.v4"
contains "--inner too deep in --packets: file:line:col" "$err" "deep.packets:1:"

# --- --from-log with xtables-monitor --trace output ------------------------
# xtables-monitor-trace.txt: iptables-nft rules (xtables-monitor-trace.v4/.v6)
# in a router namespace; a SYN to a closed port 22 (the stack's RST back), UDP
# to 53 (dropped) and 5353 (marked; the ICMP port unreachable back), a
# forwarded SYN and its RST, an ICMP echo and its reply, IPv6 neighbour
# discovery, an ICMPv6 echo and UDP to 53.  Rebuilt, each packet's trace is
# the kernel's, line for line (trace ids renamed: the kernel's are random).
rename_ids() {
  awk '/^== packet/ { next }
       { for (i = 1; i < NF; i++) if ($i == "PACKET:" || $i == "TRACE:") { id = $(i + 2)
           if (!(id in m)) m[id] = sprintf("ID%d", ++n); sub(id, m[id]); break }
         print }'
}
mon=$data/xtables-monitor-trace.txt
expect "monitor file v4" 0 "$iptsim" trace --format nft --from-log "$mon" "$data/xtables-monitor-trace.v4"
grep -E '^(PACKET| TRACE): 2 ' "$mon" | rename_ids >"$tmp/want"
rename_ids <"$out" >"$tmp/got"
same "monitor file v4: the kernel's trace again" "$tmp/got" "$tmp/want"
contains "monitor file v4: the other family skipped" "$err" "iptsim trace: note: $mon: 8 IPv6 packets skipped (the ruleset is IPv4)"
expect "monitor file v6" 0 "$iptsim" trace --format nft --from-log "$mon" "$data/xtables-monitor-trace.v6"
# The capture's last TRACE line is cut: xtables-monitor 1.8.9 cannot print
# that ip6tables-nft rule ("Error: unsupported layer 4 protocol value").
grep -E '^(PACKET| TRACE): 10 ' "$mon" | rename_ids | sed '$d' >"$tmp/want"
rename_ids <"$out" | sed '$d' >"$tmp/got"
same "monitor file v6: the kernel's trace again" "$tmp/got" "$tmp/want"
contains "monitor file v6: the cut rule" "$out" "filter:INPUT:rule:0x4:DROP  -6 -t filter -A INPUT -p udp -m udp --dport 53 -j DROP"
expect "monitor stdin" 0 sh -c "'$iptsim' trace --format nft --packet-headers --from-log - '$data/xtables-monitor-trace.v4' < '$mon'"
contains "monitor stdin: where packet 6 came from" "$out" "== packet 6"
# One PACKET line on the command line; the forwarded SYN's first line has
# no OUT= (PREROUTING): a packet for the host.  The file's later lines give
# OUT=hpr1: forwarded.
syn='PACKET: 2 5b37d2b7 IN=hpr0 MACSRC=2:0:0:0:9:1 MACDST=2:0:0:0:9:fe MACPROTO=0800 SRC=10.9.1.1 DST=10.9.2.1 LEN=60 TOS=0x0 TTL=64 ID=9757 DF SPORT=55402 DPORT=80 SYN '
expect "monitor line" 0 "$iptsim" trace --format explain --from-log "$syn" "$data/xtables-monitor-trace.v4"
contains "monitor line: a TCP SYN for the host" "$out" "verdict: ACCEPT by filter:INPUT:policy:4 (policy ACCEPT)"
expect "monitor lines of one id" 0 "$iptsim" trace --format explain --from-log "$(grep 5b37d2b7 "$mon")" "$data/xtables-monitor-trace.v4"
contains "monitor lines of one id: forwarded" "$out" "path: forward (PREROUTING, FORWARD, POSTROUTING)"
# No port shown and a matched "-p icmp": ICMP (an echo request).
expect "monitor: the protocol from a matched rule" 0 "$iptsim" trace --format json --from-log "$(grep e6bdb21f "$mon")" "$data/xtables-monitor-trace.v4"
contains "monitor: ICMP matched -p icmp" "$out" '"rule":"-A INPUT -p icmp -j ACCEPT"'
# Errors: the line and the column.
expect "monitor: a TRACE line alone" 2 "$iptsim" trace --from-log " TRACE: 2 4939650b raw:PREROUTING:policy:ACCEPT " "$data/xtables-monitor-trace.v4"
same "monitor: a TRACE line alone: the error" "$err" <(printf '%s\n' "--from-log:1:1: error: an xtables-monitor TRACE line: the packet is on the PACKET line before it (give both, or the whole output as a file)" " TRACE: 2 4939650b raw:PREROUTING:policy:ACCEPT " "^")
printf 'xtables-monitor v1.8.9 says hello\nPACKET: 2 4939650b IN=hpr0 SRC=10.9.1.1 DST=10.9.1.254 LEN=3x6 TOS=0x0 TTL=64 ID=54834 DF \n' >"$tmp/bad.txt"
expect "monitor: a bad line in a file" 2 "$iptsim" trace --from-log "$tmp/bad.txt" "$data/xtables-monitor-trace.v4"
same "monitor: a bad line in a file: file:line:col" "$err" <(printf '%s\n' "$tmp/bad.txt:2:56: error: bad number '3x6' (at most 65535)" "PACKET: 2 4939650b IN=hpr0 SRC=10.9.1.1 DST=10.9.1.254 LEN=3x6 TOS=0x0 TTL=64 ID=54834 DF " "                                                       ^~~~~~~")
expect "monitor: an IPv6 line for IPv4 rules" 2 "$iptsim" trace --from-log "$(grep -m1 'PACKET: 10 ' "$mon")" "$data/xtables-monitor-trace.v4"
contains "monitor: an IPv6 line for IPv4 rules: the error" "$err" "--from-log:1:9: error: an IPv6 packet, but the ruleset is IPv4"
expect "monitor: no such file" 2 "$iptsim" trace --from-log "$tmp/none.txt" "$data/xtables-monitor-trace.v4"
contains "monitor: no such file: the error" "$err" "cannot open '$tmp/none.txt'"
# Kernel LOG lines in a file: one packet each.
expect "kernel lines in a file" 0 "$iptsim" trace "$data/icmp-error-payload.v4" --from-log "$data/icmp-error-payload.log"
sed -n 1p "$data/icmp-error-payload.log" >"$tmp/want"
same "kernel lines in a file: the v4 LOG line again" "$out" "$tmp/want"

echo "cli-packets: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
