#!/bin/bash
# iptsim trace's --seed, --explore and --ipset: exit statuses, the explore
# acceptance (a kube-proxy service with 3 endpoints: 3 traces of probability
# 1/3 each), reproducible seeds, ipset file errors as file:line:col.
# usage: cli_trace_ext.sh IPTSIM SOURCE_DIR
set -u
iptsim=$1
src=$2
pass=0
fail=0
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
expect() {  # expect NAME WANT_STATUS COMMAND...
  local name=$1 want=$2
  shift 2
  "$@" >"$out" 2>"$err"
  local got=$?
  if [ "$got" -eq "$want" ]; then pass=$((pass + 1)); else
    echo "FAIL $name: exit $got, want $want"; sed 's/^/    /' "$err" | head -5; fail=$((fail + 1)); fi
}
contains() {  # contains NAME FILE TEXT
  if grep -qF -- "$3" "$2"; then pass=$((pass + 1)); else
    echo "FAIL $1: '$3' not in output:"; sed 's/^/    /' "$2" | head -8; fail=$((fail + 1)); fi
}
count() {  # count NAME FILE PATTERN WANT
  local got
  got=$(grep -c -- "$3" "$2")
  if [ "$got" -eq "$4" ]; then pass=$((pass + 1)); else
    echo "FAIL $1: $got lines match '$3', want $4"; fail=$((fail + 1)); fi
}
kube=$src/corpus/examples/kube-service-3.v4
pkt=(-i eth0 -s 192.0.2.7 -d 10.96.0.10 -p tcp --dport 80)

expect "random without seed stops" 2 "$iptsim" trace "$kube" "${pkt[@]}"
contains "the reason names the options" "$err" "--seed N or --explore"
expect "explore" 0 "$iptsim" trace --explore "$kube" "${pkt[@]}"
count "explore: 3 traces" "$out" '^# trace [123] of 3, probability 0.333333;' 3
count "explore: each endpoint once" "$out" 'filter:KUBE-SEP-[ABC]:' 3
contains "explore: endpoint B after a no and a yes" "$out" "# trace 2 of 3, probability 0.333333; random decisions: no(0.333333) yes(0.500000)"
expect "explore two packets" 0 "$iptsim" trace --explore "$kube" "${pkt[@]}" -- "${pkt[@]}"
count "explore: 9 traces for two packets" "$out" '^# trace [0-9] of 9, probability 0.111111;' 9
expect "explore from stdin" 0 sh -c "'$iptsim' trace --explore --format json - ${pkt[*]} < '$kube'"
count "explore json headers" "$out" '^{"explore":{"trace":' 3
expect "explore: a usage error stays one" 2 "$iptsim" trace --explore --format bogus "$kube" "${pkt[@]}"
if grep -q '^# trace' "$out"; then echo "FAIL explore header on a usage error"; fail=$((fail + 1)); else pass=$((pass + 1)); fi
contains "explore: the usage error" "$err" "unknown --format 'bogus'"
expect "seed" 0 "$iptsim" trace --seed 7 "$kube" "${pkt[@]}" -- "${pkt[@]}" -- "${pkt[@]}"
cp "$out" "$out.seed7"
expect "same seed again" 0 "$iptsim" trace --seed 7 "$kube" "${pkt[@]}" -- "${pkt[@]}" -- "${pkt[@]}"
if cmp -s "$out" "$out.seed7"; then pass=$((pass + 1)); else echo "FAIL: --seed 7 twice differs"; fail=$((fail + 1)); fi
rm -f "$out.seed7"
expect "assume decides instead" 0 "$iptsim" trace --assume statistic=false "$kube" "${pkt[@]}"
contains "assume false: the last endpoint" "$out" "filter:KUBE-SEP-C:"

sets=$src/corpus/examples/sets.ipset
rules=$src/corpus/examples/sets.v4
expect "ipset" 0 "$iptsim" trace --format explain --ipset "$sets" "$rules" -i eth0 -s 10.5.5.5 -d 10.96.0.10 -p tcp --dport 80 -- -i eth0 -s 10.5.5.5 -d 10.96.0.10 -p tcp --dport 80
contains "SET --add-set seen by the next packet" "$out" "verdict: DROP by filter:INPUT:rule:1 ($src/corpus/examples/sets.v4:5: -A INPUT -m set --match-set seen src -j DROP)"
expect "set without --ipset" 2 "$iptsim" trace "$rules" -i eth0 -s 10.5.5.5
contains "the reason names --ipset" "$err" "--ipset FILE"
printf 'create x hash:net\nadd x 10.0.0.0/33\n' >"$out.bad"
expect "bad ipset file" 2 "$iptsim" trace --ipset "$out.bad" "$rules" -i eth0
contains "ipset error with file:line:col" "$err" "$out.bad:2:7: error: invalid prefix length in '10.0.0.0/33'"
rm -f "$out.bad"
expect "missing ipset file" 2 "$iptsim" trace --ipset /nonexistent/sets "$rules" -i eth0
echo "cli_trace_ext: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
