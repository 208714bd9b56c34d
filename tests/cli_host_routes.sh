#!/bin/bash
# The host model's routes (docs/host.md): a JSON host whose routes come from
# `ip -j route` without `table all` (the main table only) gets the local and
# broadcast routes the kernel adds for its addresses, with a note (and a
# note for kernel routes that no address implies); a large
# route table loads in linear time.  The two host files in tests/data/host
# were captured in one network namespace (veths d0, e0; 10.5.0.1/24 and
# 10.6.0.1/32 on d0, 10.7.0.0/31 and 192.168.9.1/16 on e0, fd00:5::1/64 on d0,
# fd00:6::1/128 on e0): ns-addresses-table-all.json with
# `ip -j route show table all`, ns-addresses-main-only.json with `ip -j route`.
# The kernel delivers a packet REDIRECTed to the host's address locally
# (INPUT), whichever way its routes were listed.
# usage: cli_host_routes.sh IPTSIM SOURCE_DIR
set -u
iptsim=$(realpath "$1")
src=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out err=$tmp/err
. "$src/tests/cli_lib.sh"
cd "$tmp" || exit 2

cat >redirect.v4 <<'RULES'
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -i d0 -p tcp --dport 80 -j REDIRECT --to-ports 8080
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
COMMIT
RULES
# Forwarding on, so that a missing local route would forward the packet.
for f in main-only table-all; do
  sed 's/"ip_forward":0/"ip_forward":1/' "$src/tests/data/host/ns-addresses-$f.json" >"$f.json"
done
packet=(-i d0 --mac-dst e6:8a:dc:c7:84:25 -s 10.5.0.9 -d 8.8.8.8 -p tcp --dport 80)
trace_lines() {
  cat <<'TRACE'
TRACE: nat:PREROUTING:rule:1 IN=d0 OUT= MAC=e6:8a:dc:c7:84:25:02:00:00:00:00:01:08:00 SRC=10.5.0.9 DST=8.8.8.8 LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=0 PROTO=TCP SPT=40000 DPT=80 SEQ=1 ACK=0 WINDOW=64240 RES=0x00 SYN URGP=0 
TRACE: filter:INPUT:policy:1 IN=d0 OUT= MAC=e6:8a:dc:c7:84:25:02:00:00:00:00:01:08:00 SRC=10.5.0.9 DST=10.5.0.1 LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=0 PROTO=TCP SPT=40000 DPT=8080 SEQ=1 ACK=0 WINDOW=64240 RES=0x00 SYN URGP=0 
TRACE: nat:INPUT:policy:1 IN=d0 OUT= MAC=e6:8a:dc:c7:84:25:02:00:00:00:00:01:08:00 SRC=10.5.0.9 DST=10.5.0.1 LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=0 PROTO=TCP SPT=40000 DPT=8080 SEQ=1 ACK=0 WINDOW=64240 RES=0x00 SYN URGP=0 
TRACE
}
expect "REDIRECT, main table only" 0 "$iptsim" trace --trace-all --host main-only.json redirect.v4 "${packet[@]}"
trace_lines | exactly "REDIRECT, main table only: delivered" "$out"
exactly "REDIRECT, main table only: one note" "$err" <<'ERR'
iptsim: note: main-only.json: the routes have no local table (listed by 'ip -j route' without 'table all'?): iptsim adds the kernel's 20 local-table routes for the addresses in "addr" (the first: local 127.0.0.1 dev lo)
iptsim trace: packet 1: ACCEPT by filter:INPUT:policy:1 (policy ACCEPT)
  path: local-in (PREROUTING, INPUT)
ERR
expect "REDIRECT, table all" 0 "$iptsim" trace --trace-all --host table-all.json redirect.v4 "${packet[@]}"
trace_lines | exactly "REDIRECT, table all: delivered" "$out"
exactly "REDIRECT, table all: no note" "$err" <<'ERR'
iptsim trace: packet 1: ACCEPT by filter:INPUT:policy:1 (policy ACCEPT)
  path: local-in (PREROUTING, INPUT)
ERR

# A local table that lacks some of the kernel's routes: those are added, the
# note counts them (the two of 192.168.9.1/16: local and broadcast).
python3 - "$PWD/table-all.json" >partial.json <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
h["route"] = [r for r in h["route"] if not (r.get("table") == "local" and r["dst"].startswith("192.168."))]
print(json.dumps(h))
PY
expect "partial local table" 0 "$iptsim" trace --trace-all --host partial.json redirect.v4 -i d0 --mac-dst e6:8a:dc:c7:84:25 -s 10.5.0.9 -d 192.168.9.1 -p tcp --dport 22
exactly "partial local table: note" <(head -1 "$err") <<'ERR'
iptsim: note: partial.json: the local table lacks 2 of the routes the kernel adds for the addresses in "addr": iptsim adds them (the first: local 192.168.9.1 dev e0)
ERR
exactly "partial local table: delivered" <(tail -1 "$err") <<'ERR'
  path: local-in (PREROUTING, INPUT)
ERR

# Kernel routes in the local table that no address implies (the address
# 192.168.9.1/16 removed from "addr", its routes kept): kept, with a note.
python3 - "$PWD/table-all.json" >stray.json <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
for i in h["addr"]:
    i["addr_info"] = [a for a in i.get("addr_info", []) if a["local"] != "192.168.9.1"]
print(json.dumps(h))
PY
expect "stray kernel routes" 0 "$iptsim" trace --trace-all --host stray.json redirect.v4 -i d0 --mac-dst e6:8a:dc:c7:84:25 -s 10.5.0.9 -d 192.168.9.1 -p tcp --dport 22
exactly "stray kernel routes: note, and still local" "$err" <<'ERR'
iptsim: note: stray.json: the local table has 2 kernel routes that no address in "addr" implies (the first: local 192.168.9.1 dev e0): kept as listed
iptsim trace: packet 1: ACCEPT by filter:INPUT:policy:1 (policy ACCEPT)
  path: local-in (PREROUTING, INPUT)
ERR

# 200,000 routes in either format load in linear time: about a second now;
# the quadratic duplicate checks and gateway lookups took 17.5 s from JSON
# and 81 s from the native format for 100,000 routes, four times that for
# 200,000: a generous bound (20 s, for a sanitizer build too) that a
# quadratic load cannot meet.
python3 "$src/bench/gen_routes.py" 200000 native >big.txt
python3 "$src/bench/gen_routes.py" 200000 json >big.json
printf '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n' >empty.v4
for f in big.txt big.json; do
  start=$(date +%s%N)
  expect "$f loads" 0 "$iptsim" trace --trace-all --host "$f" empty.v4 -i eth0 --mac-dst 02:00:00:00:00:01 -s 10.0.5.5 -d 30.47.224.9 -p tcp --dport 80
  ms=$((($(date +%s%N) - start) / 1000000))
  if [ "$ms" -lt 20000 ]; then pass=$((pass + 1)); else echo "FAIL $f: $ms ms"; fail=$((fail + 1)); fi
done
exactly "200,000 routes: the /20's gateway" <(grep -o 'OUT=[a-z0-9]*' "$out") <<'OUT'
OUT=eth0
OUT
finish cli_host_routes
