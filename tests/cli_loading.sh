#!/bin/bash
# What a user sees when RULES is not plain iptables-save text that loads
# (docs/loading.md): reversed ranges as iptables 1.8.9 takes them,
# --max-errors, --skip-bad-rules and the partial-ruleset notes, `iptables -S`
# text, nftables text, old syntax, an address of the other family.  The
# iptables facts behind the expected texts were checked with
# iptables-legacy-restore/-save 1.8.9 in a network namespace.
# usage: cli_loading.sh IPTSIM SOURCE_DIR
set -u
iptsim=$1
src=$2
d=$src/tests/data/loading
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out err=$tmp/err want=$tmp/want
expect() {  # expect NAME WANT_STATUS COMMAND...
  local name=$1 want_rc=$2
  shift 2
  "$@" >"$out" 2>"$err"
  local got=$?
  if [ "$got" -eq "$want_rc" ]; then pass=$((pass + 1)); else
    echo "FAIL $name: exit $got, want $want_rc"; sed 's/^/    /' "$err" | head -5; fail=$((fail + 1)); fi
}
is() {  # is NAME FILE < WANT: FILE is exactly WANT
  cat >"$want"
  if cmp -s "$want" "$2"; then pass=$((pass + 1)); else
    echo "FAIL $1:"; diff "$want" "$2" | head -20 | sed 's/^/    /'; fail=$((fail + 1)); fi
}
cd "$d" || exit 2

# 1. Reversed ranges: udp and -m length load and save unchanged (1.8.9), tcp does not.
expect "reversed udp loads" 0 "$iptsim" save --no-header reversed.v4
is "reversed ranges saved unchanged" "$out" <<'EOF'
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p udp -m udp --sport 60000:29 -j DROP
-A INPUT -p udp -m udp ! --dport 5:1 -j ACCEPT
-A INPUT -m length --length 100:50 -j DROP
COMMIT
EOF
# ... and never match (udp_mt's port_match), always with '!'.
expect "reversed never matches" 0 "$iptsim" trace --trace-all reversed.v4 -i eth0 -p udp --sport 60000 --dport 3
is "reversed: only the inverted rule matches" "$out" <<'EOF'
TRACE: filter:INPUT:rule:2 IN=eth0 OUT= MAC=02:00:00:00:00:02:02:00:00:00:00:01:08:00 SRC=192.0.2.1 DST=192.0.2.2 LEN=28 TOS=0x00 PREC=0x00 TTL=64 ID=0 PROTO=UDP SPT=60000 DPT=3 LEN=8 
EOF
expect "reversed tcp refused" 2 "$iptsim" check reversed-tcp.v4
is "reversed tcp message" "$err" <<'EOF'
reversed-tcp.v4:2:32: error: -m tcp: invalid port range '60000:29': start is greater than end
-A INPUT -p tcp -m tcp --sport 60000:29 -j DROP
                               ^~~~~~~~
1 error
EOF

# 2. --max-errors: 60 errors, 50 shown by default, N or all on request.
{ echo '*filter'; for i in $(seq 60); do echo "-A INPUT -j NOPE$i"; done; echo COMMIT; } >"$tmp/many.v4"
expect "60 errors" 2 "$iptsim" check "$tmp/many.v4"
[ "$(grep -c ': error: ' "$err")" -eq 50 ] && pass=$((pass + 1)) || { echo "FAIL 50 shown"; fail=$((fail + 1)); }
tail -3 "$err" >"$tmp/part"
is "the cap says how to see all" "$tmp/part" <<'EOF'
... and 10 more diagnostics not shown
60 errors
iptsim: note: --max-errors 0 shows every diagnostic
EOF
expect "--max-errors 0" 2 "$iptsim" check --max-errors 0 "$tmp/many.v4"
[ "$(grep -c ': error: ' "$err")" -eq 60 ] && pass=$((pass + 1)) || { echo "FAIL all 60 shown"; fail=$((fail + 1)); }
expect "--max-errors=2 after RULES" 2 "$iptsim" trace "$tmp/many.v4" --max-errors=2 -i eth0
[ "$(grep -c ': error: ' "$err")" -eq 2 ] && pass=$((pass + 1)) || { echo "FAIL 2 shown"; fail=$((fail + 1)); }
expect "--max-errors x" 2 "$iptsim" save --max-errors x reversed.v4
is "--max-errors usage error" "$err" <<'EOF'
iptsim save: error: --max-errors takes a number of errors (0: all), not 'x'
Try 'iptsim help' for usage.
EOF

# 3. --skip-bad-rules: the lines that do not load are warnings, the rest loads.
expect "broken without the option" 2 "$iptsim" check broken.v4
expect "check --skip-bad-rules" 0 "$iptsim" check --skip-bad-rules broken.v4
is "check says PARTIAL" "$out" <<'EOF'
broken.v4: PARTIAL (5 lines skipped): IPv4, 1 table (filter), 3 chains (0 user-defined), 2 rules
EOF
is "every skipped line with its error, then the note" "$err" <<'EOF'
broken.v4:5:4: warning: line skipped: chain name '0123456789012345678901234567890' is too long (31 characters; at most 28)
-N 0123456789012345678901234567890
   ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
broken.v4:7:13: warning: line skipped: '-d ! 10.0.0.1' is the syntax of iptables before 1.4.3: write '! -d 10.0.0.1'
-A INPUT -d ! 10.0.0.1 -j DROP
            ^
broken.v4:8:38: warning: line skipped: unknown target 'ACCPET', did you mean 'ACCEPT'?
-A INPUT -p tcp -m tcp --dport 22 -j ACCPET
                                     ^~~~~~
broken.v4:9:18: warning: line skipped: unknown option '--days': the old ipt_time match's --days is --weekdays in -m time (xt_time)
-A INPUT -m time --days Mon,Tue -j DROP
                 ^~~~~~
broken.v4:10:13: warning: line skipped: unknown target '0123456789012345678901234567890' (neither a chain of table 'filter' nor a target extension)
-A INPUT -j 0123456789012345678901234567890
            ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
iptsim: note: partial ruleset: 5 lines of broken.v4 did not load and were skipped (--skip-bad-rules)
EOF
expect "save --skip-bad-rules" 0 "$iptsim" save --skip-bad-rules --no-header broken.v4
is "save begins with the partial comment" "$out" <<'EOF'
# iptsim: partial ruleset: 5 lines of broken.v4 did not load and were skipped (--skip-bad-rules)
*filter
:INPUT DROP [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT
COMMIT
EOF
# The saved text (comment line included) loads again, as iptables-restore reads it.
cp "$out" "$tmp/saved.v4"
expect "the partial save reloads" 0 "$iptsim" check "$tmp/saved.v4"
expect "trace --skip-bad-rules" 0 "$iptsim" trace --skip-bad-rules --trace-all broken.v4 -i eth0 -p tcp --dport 80
grep "^iptsim: note: partial" "$err" >"$tmp/part"
is "trace notes the partial ruleset" "$tmp/part" <<'EOF'
iptsim: note: partial ruleset: 5 lines of broken.v4 did not load and were skipped (--skip-bad-rules)
EOF
is "trace runs on the rest" "$out" <<'EOF'
TRACE: filter:INPUT:rule:2 IN=eth0 OUT= MAC=02:00:00:00:00:02:02:00:00:00:00:01:08:00 SRC=192.0.2.1 DST=192.0.2.2 LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=0 PROTO=TCP SPT=40000 DPT=80 SEQ=1 ACK=0 WINDOW=64240 RES=0x00 SYN URGP=0 
EOF

# Old syntax: hints (iptables 1.8.9 refuses all four too).
expect "old syntax" 2 "$iptsim" check old.v4
is "old syntax hints" "$err" <<'EOF'
old.v4:2:13: error: '-p ! tcp' is the syntax of iptables before 1.4.3: write '! -p tcp'
-A INPUT -p ! tcp -j DROP
            ^
old.v4:3:25: error: '--dport ! 22' is the syntax of iptables before 1.4.3: write '! --dport 22'
-A INPUT -p tcp --dport ! 22 -j DROP
                        ^
old.v4:4:20: error: unknown option '--cmd-owner': the old owner match's --cmd-owner, --pid-owner and --sid-owner are gone (iptables 1.8.9 refuses them); -m owner has --uid-owner, --gid-owner and --socket-exists
-A OUTPUT -m owner --cmd-owner sshd -j DROP
                   ^~~~~~~~~~~
old.v4:5:13: error: unknown target 'ULOG': current kernels have no ULOG (iptables 1.8.9: "Extension ULOG revision 0 not supported, missing kernel module?"); -j NFLOG is its successor
-A INPUT -j ULOG --ulog-prefix x
            ^~~~
4 errors
EOF

# 4. iptables -S output: detected from the content; --table for non-filter dumps.
expect "iptables -S loads" 0 "$iptsim" check specs.txt
is "iptables -S summary" "$out" <<'EOF'
specs.txt: OK: IPv4, 1 table (filter), 4 chains (1 user-defined), 3 rules
EOF
expect "iptables -S saves" 0 "$iptsim" save --no-header specs.txt
is "iptables -S as iptables-save" "$out" <<'EOF'
*filter
:INPUT DROP [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:MYCHAIN - [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -m comment --comment "ssh in" -j MYCHAIN
-A MYCHAIN -j ACCEPT
COMMIT
EOF
expect "iptables -t nat -S needs --table" 2 "$iptsim" check specs-nat.txt
head -1 "$err" >"$tmp/part"
is "the nat chains are not in filter" "$tmp/part" <<'EOF'
specs-nat.txt:1:4: error: chain 'PREROUTING' does not exist in table 'filter' (this 'iptables -S' text is read as table 'filter'; give --table raw, mangle or nat)
EOF
expect "--table nat" 0 "$iptsim" check --table nat specs-nat.txt
is "--table nat summary" "$out" <<'EOF'
specs-nat.txt: OK: IPv4, 1 table (nat), 4 chains (0 user-defined), 1 rules
EOF
expect "--table bogus" 2 "$iptsim" check --table bogus specs.txt
is "--table usage error" "$err" <<'EOF'
iptsim check: error: --table takes raw, mangle, nat, filter or security, not 'bogus'
Try 'iptsim help' for usage.
EOF

# 5. nft list ruleset: one error that says what to run instead.
expect "nft text refused" 2 "$iptsim" check ruleset.nft
is "nft message" "$err" <<'EOF'
ruleset.nft:1:1: error: this is nftables syntax ('nft list ruleset'), not a ruleset iptsim reads: give it iptables-save or ip6tables-save output, or 'iptables -S' output; for rules made with iptables-nft, run iptables-nft-save (the README says what it cannot show)
table ip filter {
^~~~~
1 error
EOF

# (iptables-xml output loads: tests/cli_xml.sh.)

# 6. An address of the other family.
expect "mixed families" 2 "$iptsim" check mixed.v4
is "mixed: the IPv4 address in a ruleset detected as IPv6" "$err" <<'EOF'
mixed.v4:5:13: error: '10.0.0.1' is an IPv4 address, but this ruleset is IPv6 (from the IPv6 address '2001:db8::1/128' on line 6): load iptables-save output for IPv4 rules, or give -4
-A INPUT -s 10.0.0.1/32 -j DROP
            ^~~~~~~~~~~
1 error
EOF
expect "-4 forced" 2 "$iptsim" check -4 mixed.v4
is "-4: the IPv6 address" "$err" <<'EOF'
mixed.v4:6:13: error: '2001:db8::1' is an IPv6 address, but this ruleset is IPv4 (-4 was given): load ip6tables-save output for IPv6 rules, or give -6
-A INPUT -s 2001:db8::1/128 -j DROP
            ^~~~~~~~~~~~~~~
1 error
EOF

echo "cli_loading: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
