#!/bin/bash
# `iptsim test` (docs/test-specs.md): the report of failed and undecided
# cases word for word, exit statuses, -k, -j, --update and golden files,
# spec errors with file:line:col, and the JUnit XML read back by a real JUnit
# consumer (the junitparser Python package, Debian python3-junitparser).
# The expected texts follow from the rulesets: corpus/examples/why.v4 drops
# udp 53 with rule 2 (line 7), marks every other packet 5 (rule 3), sends ssh
# from 10/8 to SSH, which RETURNs 10.1/16 to the DROP policy.
# usage: cli_test_command.sh IPTSIM SOURCE_DIR
set -u
iptsim=$1
src=$2
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
same() {  # same NAME FILE WANT_TEXT: the whole file, exactly
  if [ "$(cat "$2")" == "$3" ]; then pass=$((pass + 1)); else
    echo "FAIL $1: got"; sed 's/^/    /' "$2"; echo "  want"; printf '%s\n' "$3" | sed 's/^/    /'
    fail=$((fail + 1)); fi
}
contains() {  # contains NAME FILE TEXT
  if grep -qF -- "$3" "$2"; then pass=$((pass + 1)); else
    echo "FAIL $1: '$3' not in output:"; sed 's/^/    /' "$2" | head -8; fail=$((fail + 1)); fi
}
cd "$src" || exit 2

# --- the deliberately failing spec: the whole report ---
expect failing-exit 1 "$iptsim" test corpus/specs/failing/why-wrong.yaml
same failing-report "$out" "$(cat <<'TXT'
FAIL corpus/specs/failing/why-wrong.yaml: dns is expected accepted, but rule 2 drops it
  verdict: expected ACCEPT, got DROP (DROP by filter:INPUT:rule:2 (corpus/examples/why.v4:7: -A INPUT -p udp --dport 53 -j DROP))
  rule: expected the packet decided by filter:INPUT:5, got filter:INPUT:rule:2 (corpus/examples/why.v4:7: -A INPUT -p udp --dport 53 -j DROP)
  packet:
    -i eth0 -s 192.0.2.1 -d 192.0.2.2 -p udp --dport 53
  trace (--format explain):
    filter:INPUT:rule:2              corpus/examples/why.v4:7: -A INPUT -p udp --dport 53 -j DROP
    verdict: DROP by filter:INPUT:rule:2 (corpus/examples/why.v4:7: -A INPUT -p udp --dport 53 -j DROP)
    path: local-in (PREROUTING, INPUT)
PASS corpus/specs/failing/why-wrong.yaml: web passes as expected
FAIL corpus/specs/failing/why-wrong.yaml: the mark and the path are wrong
  path_includes: -A SSH -j ACCEPT did not match the packet
  path_excludes: -A SSH -s 10.1.0.0/16 -j RETURN matched the packet
  mark: expected 0x6, got 0x5
  log: expected a LOG line containing 'no such line', got none
  packet:
    -i eth0 -s 10.1.2.3 -d 192.0.2.2 -p tcp --dport 22 --syn
  trace (--format explain):
    filter:INPUT:rule:3              corpus/examples/why.v4:8: -A INPUT -j MARK --set-mark 5
    filter:INPUT:rule:4              corpus/examples/why.v4:9: -A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -m mark --mark 5 -j SSH
    filter:SSH:rule:1                corpus/examples/why.v4:11: -A SSH -s 10.1.0.0/16 -j RETURN
    filter:INPUT:policy:6            policy DROP
    verdict: DROP by filter:INPUT:policy:6 (policy DROP)
    path: local-in (PREROUTING, INPUT)
FAIL corpus/specs/failing/why-wrong.yaml: the second packet of a flow is expected dropped
  packet 2 (-i lo -s 127.0.0.1 -d 127.0.0.1 -p tcp --dport 22 --syn): verdict: expected DROP, got ACCEPT (ACCEPT by filter:INPUT:rule:1 (corpus/examples/why.v4:6: -A INPUT -i lo -j ACCEPT))
  packet 2 (-i lo -s 127.0.0.1 -d 127.0.0.1 -p tcp --dport 22 --syn): rule: expected the packet decided by comment 'web', got filter:INPUT:rule:1 (corpus/examples/why.v4:6: -A INPUT -i lo -j ACCEPT)
  packets:
    -i eth0 -s 10.2.0.1 -d 192.0.2.2 -p tcp --dport 22 --syn
    -i lo -s 127.0.0.1 -d 127.0.0.1 -p tcp --dport 22 --syn
  trace (--format explain):
    == packet 1: tcp 10.2.0.1:40000 -> 192.0.2.2:22 SYN, in eth0
    filter:INPUT:rule:3              corpus/examples/why.v4:8: -A INPUT -j MARK --set-mark 5
    filter:INPUT:rule:4              corpus/examples/why.v4:9: -A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -m mark --mark 5 -j SSH
    filter:SSH:return:2              corpus/examples/why.v4:12: -A SSH -j ACCEPT  # a rule, which the kernel labels 'return' because it has no condition and a built-in verdict (docs/kernel-trace.md §2.1)
    verdict: ACCEPT by filter:SSH:return:2 (corpus/examples/why.v4:12: -A SSH -j ACCEPT)
      via: filter:INPUT:rule:4 (corpus/examples/why.v4:9: -A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -m mark --mark 5 -j SSH)
    path: local-in (PREROUTING, INPUT)
    == packet 2: tcp 127.0.0.1:40000 -> 127.0.0.1:22 SYN, in lo
    filter:INPUT:rule:1              corpus/examples/why.v4:6: -A INPUT -i lo -j ACCEPT
    verdict: ACCEPT by filter:INPUT:rule:1 (corpus/examples/why.v4:6: -A INPUT -i lo -j ACCEPT)
    path: local-in (PREROUTING, INPUT)
1 passed, 3 failed, 0 undecided
TXT
)"
same failing-no-stderr "$err" ""

# --- undecided: named with what is missing; exit 1 unless --allow-undecided ---
expect undecided-exit 1 "$iptsim" test corpus/specs/failing/undecided-tcpmss.yaml
contains undecided-line "$out" "UNDECIDED corpus/specs/failing/undecided-tcpmss.yaml: an outgoing SYN to the internet"
contains undecided-why "$out" "  undecided: the simulation stops in filter:FORWARD: -j TCPMSS --clamp-mss-to-pmtu needs the MTUs of the routes to and from the packet's addresses, which iptsim does not model"
contains undecided-pass "$out" "PASS corpus/specs/failing/undecided-tcpmss.yaml: its ssh port forward is decided"
contains undecided-count "$out" "1 passed, 0 failed, 1 undecided"
same undecided-stderr "$err" "iptsim test: 1 undecided case: the simulation could not tell what happens (see above); --allow-undecided lets them pass"
expect allow-undecided 0 "$iptsim" test --allow-undecided corpus/specs/failing/undecided-tcpmss.yaml
same allow-undecided-stderr "$err" ""

# --- -k selects by name; -j 1 gives the same report as all cores ---
expect select 1 "$iptsim" test -k 'mark and' -k web corpus/specs/failing/why-wrong.yaml
contains select-count "$out" "1 passed, 1 failed, 0 undecided"
expect select-none 2 "$iptsim" test -k nothing-has-this corpus/specs/failing/why-wrong.yaml
same select-none-msg "$err" "iptsim test: error: -k selects no case of the specs
Try 'iptsim help' for usage."
"$iptsim" test corpus/specs/failing/why-wrong.yaml >"$tmp/all-cores" 2>&1
"$iptsim" test -j 1 corpus/specs/failing/why-wrong.yaml >"$tmp/one-core" 2>&1
if cmp -s "$tmp/all-cores" "$tmp/one-core"; then pass=$((pass + 1)); else
  echo "FAIL jobs: -j 1 and all cores differ"; fail=$((fail + 1)); fi
expect usage-no-spec 2 "$iptsim" test
same usage-no-spec-msg "$err" "iptsim test: error: missing SPEC (a YAML test spec file)
Try 'iptsim help' for usage."
expect usage-option 2 "$iptsim" test corpus/specs/failing/why-wrong.yaml --junt x.xml
contains usage-option-msg "$err" "unknown option '--junt'"

# --- the JUnit XML, read back by junitparser ---
expect junit 1 "$iptsim" test --junit "$tmp/r.xml" corpus/specs/failing/why-wrong.yaml \
  corpus/specs/failing/undecided-tcpmss.yaml corpus/specs/examples-why.yaml
# The Debian package is for the system python (a python3 earlier in PATH may lack it).
python=/usr/bin/python3
[ -x "$python" ] || python=python3
"$python" - "$tmp/r.xml" >"$tmp/junit.txt" 2>&1 <<'PY'
import sys
from junitparser import JUnitXml, Failure, Skipped
xml = JUnitXml.fromfile(sys.argv[1])
for suite in xml:
    print(f"suite {suite.name}: tests={suite.tests} failures={suite.failures} skipped={suite.skipped} errors={suite.errors}")
    for case in suite:
        kinds = [type(r).__name__ for r in case.result]
        first = case.result[0] if case.result else None
        print(f"  {case.classname} | {case.name} | {','.join(kinds) or 'passed'}"
              + (f" | {first.message}" if first is not None else ""))
PY
same junit-read "$tmp/junit.txt" "$(cat <<'TXT'
suite corpus/specs/failing/why-wrong.yaml: tests=4 failures=3 skipped=0 errors=0
  corpus/specs/failing/why-wrong.yaml | dns is expected accepted, but rule 2 drops it | Failure | verdict: expected ACCEPT, got DROP (DROP by filter:INPUT:rule:2 (corpus/examples/why.v4:7: -A INPUT -p udp --dport 53 -j DROP))
  corpus/specs/failing/why-wrong.yaml | web passes as expected | passed
  corpus/specs/failing/why-wrong.yaml | the mark and the path are wrong | Failure | path_includes: -A SSH -j ACCEPT did not match the packet
  corpus/specs/failing/why-wrong.yaml | the second packet of a flow is expected dropped | Failure | packet 2 (-i lo -s 127.0.0.1 -d 127.0.0.1 -p tcp --dport 22 --syn): verdict: expected DROP, got ACCEPT (ACCEPT by filter:INPUT:rule:1 (corpus/examples/why.v4:6: -A INPUT -i lo -j ACCEPT))
suite corpus/specs/failing/undecided-tcpmss.yaml: tests=2 failures=0 skipped=1 errors=0
  corpus/specs/failing/undecided-tcpmss.yaml | an outgoing SYN to the internet | Skipped | undecided: the simulation stops in filter:FORWARD: -j TCPMSS --clamp-mss-to-pmtu needs the MTUs of the routes to and from the packet's addresses, which iptsim does not model
  corpus/specs/failing/undecided-tcpmss.yaml | its ssh port forward is decided | passed
suite corpus/specs/examples-why.yaml: tests=5 failures=0 skipped=0 errors=0
  corpus/specs/examples-why.yaml | dns is dropped before anything is marked | passed
  corpus/specs/examples-why.yaml | web is accepted by the rule commented web | passed
  corpus/specs/examples-why.yaml | ssh from 10.2/16 is accepted at the end of the SSH chain | passed
  corpus/specs/examples-why.yaml | ssh from 10.1/16 returns from SSH and meets the policy | passed
  corpus/specs/examples-why.yaml | ssh from outside 10/8 never enters SSH | passed
TXT
)"
# The failure's text is the case's whole report (the explain trace included).
contains junit-text "$tmp/r.xml" "filter:SSH:rule:1                corpus/examples/why.v4:11: -A SSH -s 10.1.0.0/16 -j RETURN"

# --- golden files: missing, --update, equal, differing ---
mkdir -p "$tmp/g"
cp corpus/examples/why.v4 "$tmp/g/"
cat >"$tmp/g/spec.yaml" <<'YAML'
rules: why.v4
cases:
  - name: web
    packet: -i eth0 -s 192.0.2.1 -d 192.0.2.2 -p tcp --dport 443 --syn
    golden: web.trace
YAML
expect golden-missing 1 "$iptsim" test "$tmp/g/spec.yaml"
contains golden-missing-msg "$out" "  golden: $tmp/g/web.trace does not exist (iptsim test --update writes it)"
expect golden-update 0 "$iptsim" test --update "$tmp/g/spec.yaml"
same golden-update-msg "$err" "iptsim test: wrote $tmp/g/web.trace"
# What `iptsim trace --trace-all` prints: the MARK rule (3), then the
# multiport rule commented web (5) that accepts; rule 1 (-i lo) and rule 2
# (udp) do not match.
same golden-content "$tmp/g/web.trace" "TRACE: filter:INPUT:rule:3 IN=eth0 OUT= MAC=02:00:00:00:00:02:02:00:00:00:00:01:08:00 SRC=192.0.2.1 DST=192.0.2.2 LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=0 PROTO=TCP SPT=40000 DPT=443 SEQ=1 ACK=0 WINDOW=64240 RES=0x00 SYN URGP=0 
TRACE: filter:INPUT:rule:5 IN=eth0 OUT= MAC=02:00:00:00:00:02:02:00:00:00:00:01:08:00 SRC=192.0.2.1 DST=192.0.2.2 LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=0 PROTO=TCP SPT=40000 DPT=443 SEQ=1 ACK=0 WINDOW=64240 RES=0x00 SYN URGP=0 MARK=0x5 "
"$iptsim" trace --trace-all "$tmp/g/why.v4" -i eth0 -s 192.0.2.1 -d 192.0.2.2 -p tcp --dport 443 --syn >"$tmp/g/trace.out" 2>/dev/null
if cmp -s "$tmp/g/trace.out" "$tmp/g/web.trace"; then pass=$((pass + 1)); else
  echo "FAIL golden-is-trace-all: the golden file is not trace --trace-all's output"; fail=$((fail + 1)); fi
expect golden-equal 0 "$iptsim" test "$tmp/g/spec.yaml"
expect golden-update-quiet 0 "$iptsim" test --update "$tmp/g/spec.yaml"
same golden-update-unchanged "$err" ""
sed -i 's/rule:5/rule:4/' "$tmp/g/web.trace"
expect golden-differs 1 "$iptsim" test "$tmp/g/spec.yaml"
contains golden-differs-msg "$out" "  golden: the trace differs from $tmp/g/web.trace (iptsim test --update rewrites it)"

# --- spec errors: file:line:col, every one, exit 2, nothing run ---
cat >"$tmp/g/bad.yaml" <<'YAML'
rules: why.v4
cases:
  - name: one
    packet: -i eth0 -p tcp --dport 22
    verdcit: ACCEPT
  - name: two
    packet: -i eth0
    verdict: MAYBE
YAML
expect spec-errors 2 "$iptsim" test "$tmp/g/bad.yaml"
same spec-errors-msg "$err" "$tmp/g/bad.yaml:5:5: error: unknown key 'verdcit' in a case, did you mean 'verdict'?
    verdcit: ACCEPT
    ^
$tmp/g/bad.yaml:3:5: error: case 'one' expects nothing (give verdict:, rule:, golden: ...)
  - name: one
    ^
$tmp/g/bad.yaml:8:14: error: verdict: 'MAYBE' is none of ACCEPT, DROP, REJECT [TYPE], QUEUE, STOLEN
    verdict: MAYBE
             ^
3 errors"
same spec-errors-no-output "$out" ""
cat >"$tmp/g/bind.yaml" <<'YAML'
rules: why.v4
cases:
  - packet: -i eth0 -p tcp --dprt 22
    verdict: ACCEPT
  - packet: [-i, eth0, -p, udp]
    rule: filter:INPT:1
    path_includes: -A INPUT -p tcp --dport 23 -j ACCEPT
    nat: 1.2.3.4:99999
YAML
expect bind-errors 2 "$iptsim" test "$tmp/g/bind.yaml"
same bind-errors-msg "$err" "$tmp/g/bind.yaml:3:28: error: packet: unknown packet option '--dprt', did you mean '--dport'? (in $tmp/g/why.v4)
  - packet: -i eth0 -p tcp --dprt 22
                           ^
$tmp/g/bind.yaml:6:11: error: 'filter:INPT:1': table filter has no chain 'INPT', did you mean 'INPUT'? (in $tmp/g/why.v4)
    rule: filter:INPT:1
          ^
$tmp/g/bind.yaml:7:20: error: no rule of the ruleset is '-A INPUT -p tcp --dport 23 -j ACCEPT' (compared as iptables -S prints it) (in $tmp/g/why.v4)
    path_includes: -A INPUT -p tcp --dport 23 -j ACCEPT
                   ^
$tmp/g/bind.yaml:8:10: error: nat: '1.2.3.4:99999' is not ADDRESS[:PORT] of the ruleset's family (in $tmp/g/why.v4)
    nat: 1.2.3.4:99999
         ^
4 errors"
printf 'rules: why.v4\ncases: [\n' >"$tmp/g/yaml.yaml"
expect yaml-error 2 "$iptsim" test "$tmp/g/yaml.yaml"
contains yaml-error-msg "$err" "$tmp/g/yaml.yaml:3:1: error: not valid YAML: end of sequence flow not found"
printf 'rules: nosuch.v4\ncases:\n  - packet: -p tcp\n    verdict: DROP\n' >"$tmp/g/norules.yaml"
expect no-ruleset 2 "$iptsim" test "$tmp/g/norules.yaml"
contains no-ruleset-msg "$err" "iptsim: error: cannot open '$tmp/g/nosuch.v4': No such file or directory"

# --- rules named by text match spelling variants; a text fits where it stands ---
cat >"$tmp/g/names.yaml" <<'YAML'
rules: why.v4
defaults: -i eth0 -d 192.0.2.2
cases:
  - name: implicit -m udp and a policy
    packet: -s 192.0.2.1 -p udp --dport 53
    rule: -A INPUT -p udp --dport 53 -j DROP
  - name: host address without /32
    packet: -s 10.1.2.3 -p tcp --dport 22 --syn
    path_includes: -A SSH -s 10.1.0.0/16 -j RETURN
    rule: filter:INPUT:policy
  - name: any of several rules
    packet: -s 10.2.0.1 -p tcp --dport 22 --syn
    rule: [filter:INPUT:5, "-A SSH -j ACCEPT"]
YAML
expect names 0 "$iptsim" test "$tmp/g/names.yaml"
contains names-count "$out" "3 passed, 0 failed, 0 undecided"

# --- defaults: a packet's own option replaces the default of the same name
# (why.v4: -i lo is rule 1; tcp 22 from 10/8 goes to SSH, which accepts
# 10.2/16; 443 is the web rule) ---
cat >"$tmp/g/override.yaml" <<'YAML'
rules: why.v4
defaults: -i eth0 -d 192.0.2.2 -p tcp --dport 22 --syn
cases:
  - name: the packet's -i replaces the default's
    packet: -i lo -s 192.0.2.1
    rule: filter:INPUT:1
  - name: the defaults alone
    packet: -s 10.2.0.1
    rule: -A SSH -j ACCEPT
  - name: --dport replaced, --syn kept
    packet: -s 10.2.0.1 --dport 443
    rule: {comment: web}
  - name: --tcp-flags replaces --syn, --dport=443 replaces --dport 22
    packet: -s 10.2.0.1 --tcp-flags ALL ACK --dport=443
    rule: {comment: web}
  - name: fails, showing the packet as run
    packet: -i lo -s 192.0.2.1
    verdict: DROP
YAML
expect override 1 "$iptsim" test "$tmp/g/override.yaml"
same override-report "$out" "PASS $tmp/g/override.yaml: the packet's -i replaces the default's
PASS $tmp/g/override.yaml: the defaults alone
PASS $tmp/g/override.yaml: --dport replaced, --syn kept
PASS $tmp/g/override.yaml: --tcp-flags replaces --syn, --dport=443 replaces --dport 22
FAIL $tmp/g/override.yaml: fails, showing the packet as run
  verdict: expected DROP, got ACCEPT (ACCEPT by filter:INPUT:rule:1 ($tmp/g/why.v4:6: -A INPUT -i lo -j ACCEPT))
  packet:
    -d 192.0.2.2 -p tcp --dport 22 --syn -i lo -s 192.0.2.1
  trace (--format explain):
    filter:INPUT:rule:1              $tmp/g/why.v4:6: -A INPUT -i lo -j ACCEPT
    verdict: ACCEPT by filter:INPUT:rule:1 ($tmp/g/why.v4:6: -A INPUT -i lo -j ACCEPT)
    path: local-in (PREROUTING, INPUT)
4 passed, 1 failed, 0 undecided"
# A default the packet's own options do not replace must still fit it.
printf 'rules: why.v4\ndefaults: -i eth0 -p tcp --dport 22 --syn\ncases:\n  - packet: -p udp --dport 53\n    verdict: DROP\n' >"$tmp/g/misfit.yaml"
expect misfit 2 "$iptsim" test "$tmp/g/misfit.yaml"
same misfit-msg "$err" "$tmp/g/misfit.yaml:2:37: error: packet: --syn needs -p tcp (the packet is -p udp) (in $tmp/g/why.v4)
defaults: -i eth0 -p tcp --dport 22 --syn
                                    ^
1 error"

echo "cli_test_command: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
