#!/bin/bash
# Packets as the user writes them, checked against kernel captures
# (tests/data/captures/README.md says how each was made):
#   - an ICMP/ICMPv6 error's --payload-hex is the body after the ICMP header,
#     which the kernel reads as the embedded packet (LOG prints it in [ ]);
#   - --inner nests at most 8 deep, with a clear error beyond;
#   - --from-log reads xtables-monitor --trace output (a line, a file, stdin):
#     one packet per trace id, rebuilt from its PACKET lines.
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

echo "cli-packets: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
