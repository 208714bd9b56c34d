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
echo "cli_options: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
