#!/bin/bash
# The one option parser of every command (cli/options.cc): --opt=VALUE
# everywhere, run options after RULES, did-you-mean for unknown commands and
# options, one error form.
# usage: cli_options.sh IPTSIM SOURCE_DIR
set -u
iptsim=$1
src=$2
pass=0
fail=0
out=$(mktemp) err=$(mktemp) want=$(mktemp)
trap 'rm -f "$out" "$err" "$want"' EXIT
expect() {  # expect NAME WANT_STATUS COMMAND...
  local name=$1 want_rc=$2
  shift 2
  "$@" >"$out" 2>"$err"
  local got=$?
  if [ "$got" -eq "$want_rc" ]; then pass=$((pass + 1)); else
    echo "FAIL $name: exit $got, want $want_rc"; sed 's/^/    /' "$err" | head -5; fail=$((fail + 1)); fi
}
contains() {  # contains NAME FILE TEXT
  if grep -qF -- "$3" "$2"; then pass=$((pass + 1)); else
    echo "FAIL $1: '$3' not in output:"; sed 's/^/    /' "$2" | head -8; fail=$((fail + 1)); fi
}
same() {  # same NAME OUTPUT CAPTURE (the words after "== packet N" cut, as the capture has none)
  if cmp -s <(sed -E 's/^(== packet [0-9]+)[ :].*/\1/' "$2") <(sed -E 's/^(== packet [0-9]+)[ :].*/\1/' "$3"); then pass=$((pass + 1)); else
    echo "FAIL $1: outputs differ:"; diff "$2" "$3" | head -6 | sed 's/^/    /'; fail=$((fail + 1)); fi
}
kube=$src/corpus/examples/kube-service-3.v4
pkt=(-i eth0 -s 192.0.2.7 -d 10.96.0.10 -p tcp --dport 80)
sc=$src/corpus/scenarios/log-basic

# --opt=VALUE: the same trace as --opt VALUE.
expect "trace --seed 5" 0 "$iptsim" trace --seed 5 "$kube" "${pkt[@]}"
cp "$out" "$want"
expect "trace --seed=5" 0 "$iptsim" trace --seed=5 "$kube" "${pkt[@]}"
same "trace --seed=5 = --seed 5" "$out" "$want"
# Run options after RULES.
expect "trace RULES --seed 5" 0 "$iptsim" trace "$kube" --seed 5 "${pkt[@]}"
same "trace RULES --seed 5 = --seed 5 RULES" "$out" "$want"
expect "trace RULES PACKET --seed=5" 0 "$iptsim" trace "$kube" "${pkt[@]}" --seed=5
same "after the packet words too" "$out" "$want"
expect "trace --packets F RULES" 0 "$iptsim" trace --packet-headers --packets "$sc/packets" "$sc/rules"
cp "$out" "$want"
expect "trace RULES --packets F" 0 "$iptsim" trace "$sc/rules" --packets "$sc/packets" --packet-headers
same "trace RULES --packets F = --packets F RULES" "$out" "$want"
same "= the kernel's capture" "$out" "$sc/expected"
# verify: --seed=5 parses as --seed 5 (both then stop at the missing packets file,
# before any lab).
expect "verify --seed=x" 2 "$iptsim" verify --seed=x "$kube"
contains "verify --seed=x message" "$err" "iptsim verify: error: --seed takes a non-negative integer, not 'x'"
expect "verify --seed 5" 2 "$iptsim" verify --seed 5 --packets /nonexistent/p "$kube"
cp "$err" "$want"
expect "verify --seed=5" 2 "$iptsim" verify --seed=5 --packets /nonexistent/p "$kube"
same "verify --seed=5 = --seed 5" "$err" "$want"
contains "verify got past the options" "$err" "cannot open '/nonexistent/p'"
expect "verify RULES --seed=5" 2 "$iptsim" verify "$kube" --packets=/nonexistent/p --seed=5
same "verify options after RULES" "$err" "$want"
# Did you mean.
expect "--formt" 2 "$iptsim" trace --formt explain "$kube"
contains "--formt: did you mean" "$err" "iptsim trace: error: unknown option '--formt', did you mean '--format'?"
contains "usage hint" "$err" "Try 'iptsim help' for usage."
expect "--formt=explain" 2 "$iptsim" trace --formt=explain "$kube"
contains "--formt=: did you mean" "$err" "unknown option '--formt=explain', did you mean '--format'?"
expect "chekc" 2 "$iptsim" chekc "$kube"
contains "chekc: did you mean" "$err" "iptsim: error: unknown command 'chekc', did you mean 'check'?"
expect "save --countres" 2 "$iptsim" save --countres "$kube"
contains "save: did you mean" "$err" "iptsim save: error: unknown option '--countres', did you mean '--counters'?"
expect "no guess for a far name" 2 "$iptsim" check --frobnicate "$kube"
contains "plain unknown option" "$err" "iptsim check: error: unknown option '--frobnicate'"
# Values: missing, refused, given to a flag.
expect "missing value" 2 "$iptsim" trace "$kube" --seed
contains "missing value message" "$err" "iptsim trace: error: --seed needs a value"
expect "flag with a value" 2 "$iptsim" trace --trace-all=yes "$kube"
contains "flag with a value message" "$err" "iptsim trace: error: --trace-all takes no value"
expect "bad format" 2 "$iptsim" trace --format=bogus "$kube"
contains "bad format message" "$err" "unknown --format 'bogus' (kernel, nft, explain or json)"
# Packet options stay packet options after RULES.
expect "packet option after RULES" 2 "$iptsim" trace "$kube" -p tcp --dprot 22
contains "packet option error" "$err" "unknown packet option '--dprot', did you mean '--dport'?"
# help COMMAND: the command's options from its table.
expect "help trace" 0 "$iptsim" help trace
contains "help lists --explore" "$out" "--explore"
# An option in the wrong place: a hint saying where it belongs.
expect "packet option before RULES" 2 "$iptsim" trace -i eth0 -p tcp --dport 22 "$kube"
contains "packet option before RULES: hint" "$err" "iptsim trace: error: -i is a packet option: put it after RULES"
expect "long packet option before RULES" 2 "$iptsim" trace --dport 22 "$kube"
contains "--dport before RULES: hint" "$err" "iptsim trace: error: --dport is a packet option: put it after RULES"
expect "packet option for check" 2 "$iptsim" check "$kube" -p tcp
contains "check takes no packets" "$err" "iptsim check: error: -p is a packet option: check takes no packets (trace and verify do)"
expect "trace's option in check" 2 "$iptsim" check --format json "$kube"
contains "an option of trace" "$err" "iptsim check: error: --format is an option of trace, diff and query, not of check"
expect "verify's option in trace, after RULES" 2 "$iptsim" trace "$kube" "${pkt[@]}" --keep
contains "an option of verify" "$err" "iptsim trace: error: --keep is an option of verify, not of trace"
expect "trace's option in verify" 2 "$iptsim" verify --format=json "$kube"
contains "--format= in verify" "$err" "iptsim verify: error: --format is an option of trace, diff and query, not of verify"
expect "typo after RULES" 2 "$iptsim" trace "$kube" "${pkt[@]}" --formt explain
contains "typo after RULES: did you mean" "$err" "iptsim trace: error: unknown option '--formt', did you mean '--format'?"
expect "typo of another command's option" 2 "$iptsim" verify --formt json "$kube"
contains "typo of trace's option in verify" "$err" "iptsim verify: error: unknown option '--formt', did you mean '--format' (an option of trace)?"
expect "option before the command" 2 "$iptsim" --keep verify "$kube"
contains "before the command" "$err" "iptsim: error: '--keep' before the command: options follow it, as in 'iptsim verify --keep ...'"
expect "unknown option before the command" 2 "$iptsim" --frob
contains "unknown option before the command" "$err" "iptsim: error: unknown option '--frob'"
# The same --opt=VALUE rule for every option of every command (from the help):
# --opt=V and --opt V end the same way; a flag refuses =V.
for c in check save trace verify; do
  "$iptsim" help "$c" | sed -n 's/^  \(-[-a-z0-9]*\)\(, \(-[-a-z0-9]*\)\)\?\( [A-Za-z][-A-Z:=a-z|]*\)\? .*/\1;\3;\4/p' |
  while IFS=';' read -r name alias value; do
    [ "$name" = -h ] && continue
    for n in $name $alias; do
      if [ -n "$value" ]; then
        "$iptsim" "$c" "$n" bogus /nonexistent/rules >"$want" 2>&1; a=$?
        "$iptsim" "$c" "$n=bogus" /nonexistent/rules >"$out" 2>&1; b=$?
        if [ "$a" = "$b" ] && cmp -s "$want" "$out"; then echo pass; else echo "FAIL $c $n=V differs from $c $n V"; fi
      else
        "$iptsim" "$c" "$n=1" /nonexistent/rules >"$out" 2>&1
        if grep -qxF "iptsim $c: error: $n takes no value" "$out"; then echo pass; else echo "FAIL $c $n=1: $(head -1 "$out")"; fi
      fi
    done
  done
done >"$err"
grep FAIL "$err"
pass=$((pass + $(grep -c '^pass$' "$err"))); fail=$((fail + $(grep -c '^FAIL' "$err")))
[ "$(grep -c '^pass$' "$err")" -ge 30 ] || { echo "FAIL too few options checked"; fail=$((fail + 1)); }
echo "cli_options: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
