#!/bin/bash
# The command-line contract of DESIGN.md for check and save: exit statuses,
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
