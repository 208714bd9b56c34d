#!/bin/bash
# Prints the host file (docs/host.md, native format) of a differential
# scenario's lab: the default ports d0/e0 exactly as
# scripts/capture-differential.sh sets them up, then the scenario's `lab`
# directives but settle, family and nodefault (which only the lab knows).
# usage: scenario_host.sh SCENARIO_DIR
dir=$1
grep -qsE '^[[:space:]]*nodefault([[:space:]]|#|$)' "$dir/lab" ||
  printf 'iface d0,addr=10.200.3.2/24,addr=fd00:200:3::2/64\niface e0,addr=10.200.4.2/24,addr=fd00:200:4::2/64\n'
if [ -f "$dir/lab" ]; then
  grep -vE '^[[:space:]]*(settle|family|nodefault)([[:space:]]|#|$)' "$dir/lab"
fi
exit 0
