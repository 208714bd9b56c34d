#!/bin/bash
# Hardening (issue 13): write errors on the output, the file shapes
# iptables-restore refuses, the values it accepts and changes, range checks,
# quoting long lines, input limits.  The iptables facts behind the expected
# texts were checked with iptables-legacy-restore/-save 1.8.9 in a network
# namespace (docs/loading.md, "The file's shape, and values iptables
# changes").
# usage: cli_hardening.sh IPTSIM SOURCE_DIR
set -u
iptsim=$1
src=$2
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
has_line() {  # has_line NAME FILE LINE: FILE has exactly this line
  if grep -qxF -- "$3" "$2"; then pass=$((pass + 1)); else
    echo "FAIL $1: no line '$3' in:"; head -5 "$2" | sed 's/^/    /'; fail=$((fail + 1)); fi
}
full() {  # full NAME COMMAND...: runs with stdout on /dev/full, wants exit 2
  local name=$1
  shift
  "$@" >/dev/full 2>"$err"
  local got=$?
  if [ "$got" -eq 2 ]; then pass=$((pass + 1)); else
    echo "FAIL $name >/dev/full: exit $got, want 2"; fail=$((fail + 1)); fi
}
cd "$tmp" || exit 2
printf '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n' >ok.v4

# 1. A write error on the output: every command says so and exits 2.
enospc="error: writing the output: No space left on device"
full save "$iptsim" save ok.v4
is "save >/dev/full" "$err" <<EOF
iptsim save: $enospc
EOF
full check "$iptsim" check ok.v4
is "check >/dev/full" "$err" <<EOF
iptsim check: $enospc
EOF
for f in kernel explain json nft; do
  full "trace --format $f" "$iptsim" trace --trace-all --format $f ok.v4 -i eth0 -p tcp --dport 22
  has_line "trace --format $f >/dev/full" "$err" "iptsim trace: $enospc"
done
full help "$iptsim" help
is "help >/dev/full" "$err" <<EOF
iptsim help: $enospc
EOF
full --version "$iptsim" --version
is "--version >/dev/full" "$err" <<EOF
iptsim: $enospc
EOF
full "save --help" "$iptsim" save --help
full "help --man" "$iptsim" help --man
# A failed write stops a long run early (the closing summary is never reached).
for i in $(seq 2000); do echo "-i eth0 -p tcp --dport $i"; done >packets.txt
full "long trace" "$iptsim" trace --trace-all --packets packets.txt ok.v4
has_line "long trace >/dev/full: message" "$err" "iptsim trace: $enospc"
ran=$(grep -c '^iptsim trace: packet [0-9]*:' "$err")
if [ "$ran" -lt 2000 ] && ! grep -q '^iptsim trace: 2000 packets' "$err"; then pass=$((pass + 1)); else
  echo "FAIL long trace >/dev/full: $ran packets ran, want it to stop early"; fail=$((fail + 1)); fi

# 2. Shapes iptables-restore 1.8.9 refuses.
printf '*filter\r\n:INPUT ACCEPT [0:0]\r\n-A INPUT -j ACCEPT\r\nCOMMIT\r\n' >crlf.v4
expect "CRLF refused" 2 "$iptsim" check crlf.v4
cr_msg="carriage return ('\\r') at the end of the line: a file with DOS line endings; iptables-restore takes the '\\r' as part of the last word and fails (remove it with: sed -i 's/\\r\$//' FILE)"
is "CRLF message" "$err" <<EOF
crlf.v4:1:8: error: $cr_msg
*filter
       ^
crlf.v4:3:19: error: $cr_msg
-A INPUT -j ACCEPT
                  ^
crlf.v4:4:7: error: $cr_msg
COMMIT
      ^
3 errors
EOF
# A comment line and a chain line's counters may end in '\r' (iptables-restore accepts them).
printf '# made on Windows\r\n*filter\n:INPUT ACCEPT [0:0]\r\nCOMMIT\n' >crlf-ok.v4
expect "CR after counters and on a comment loads" 0 "$iptsim" check crlf-ok.v4
printf '*filter\n:INPUT ACCEPT [0:0]\n \t \n\nCOMMIT\n' >blanks.v4
expect "blank line refused" 2 "$iptsim" check blanks.v4
printf 'blanks.v4:3:1: error: a line of only blanks: iptables-restore refuses it ("no command specified" in a table, "line N failed" outside one); an empty line is fine\n \t \n^~~\n1 error\n' >"$tmp/blank-want"
is "blank line message" "$err" <"$tmp/blank-want"
printf '*filter\n:INPUT ACCEPT [0:0]\n COMMIT\n' >commit-lead.v4
expect "' COMMIT' refused" 2 "$iptsim" check commit-lead.v4
is "' COMMIT' message" "$err" <<'EOF'
commit-lead.v4:3:2: error: 'COMMIT' with blanks before or after it: iptables-restore takes the line for a command and fails with "Bad argument `COMMIT'"
 COMMIT
 ^~~~~~
1 error
EOF
printf '*filter\n:INPUT ACCEPT [0:0]\nCOMMIT \n' >commit-trail.v4
expect "'COMMIT ' refused" 2 "$iptsim" check commit-trail.v4
is "'COMMIT ' message" "$err" <<'EOF'
commit-trail.v4:3:1: error: 'COMMIT' with blanks before or after it: iptables-restore takes the line for a command and fails with "Bad argument `COMMIT'"
COMMIT 
^~~~~~
1 error
EOF
printf '*filter\n:INPUT ACCEPT [0:0]\nCOMMIT' >commit-nonl.v4
expect "COMMIT without newline refused" 2 "$iptsim" check commit-nonl.v4
is "COMMIT without newline message" "$err" <<'EOF'
commit-nonl.v4:3:1: error: 'COMMIT' without a newline at the end of the file: iptables-restore takes the line for a command and fails with "Bad argument `COMMIT'"
COMMIT
^~~~~~
1 error
EOF
# 251 words load, 252 do not; "[p:b]" counters are not counted.
words() {  # words N: a rule line of N words (N >= 6)
  local n=$1 line="-A INPUT -p tcp" have=4
  while [ $((n - have)) -ge 4 ]; do line="$line -m comment --comment x"; have=$((have + 4)); done
  case $((n - have)) in
    1) line="$line --syn" ;;
    2) line="$line -j ACCEPT" ;;
    3) line="$line --syn -j ACCEPT" ;;
  esac
  echo "$line"
}
{ echo '*filter'; echo "[5:6] $(words 251)"; echo COMMIT; } >w251.v4
expect "251 words load" 0 "$iptsim" check w251.v4
{ echo '*filter'; words 252; echo COMMIT; } >w252.v4
if [ "$(awk 'NR==2{print NF}' w252.v4)" = 252 ]; then pass=$((pass + 1)); else
  echo "FAIL w252.v4 has not 252 words"; fail=$((fail + 1)); fi
expect "252 words refused" 2 "$iptsim" check w252.v4
col=$(( $(sed -n 2p w252.v4 | cut -d' ' -f1-251 | wc -c) + 1 ))  # where word 252 starts
has_line "252 words message" "$err" "w252.v4:2:$col: error: too many words: 252 on the line, iptables-restore takes 251 at most (\"Parser cannot handle more arguments\")"

# 3. Accepted as iptables accepts them, saved as iptables-save prints them.
long=$(printf 'a%.0s' $(seq 256))
{ printf '*filter\n:INPUT ACCEPT [99999999999999999999999:-2]\n'
  printf '[99999999999999999999999:1] -A INPUT -j ACCEPT\n'
  printf '[12abc:1:2] -A INPUT -j ACCEPT\n'
  printf -- '-A INPUT -p tcp -m connlimit --connlimit-above 2 --connlimit-mask 33\n'
  printf -- '-A INPUT -p tcp -m connlimit --connlimit-above 2 --connlimit-mask 4294967295\n'
  printf -- '-A INPUT -s 167772161 -d 0x0a000001/8\n'
  printf -- '-A INPUT -m comment --comment "open quote\n'
  printf -- '-A INPUT -m comment --comment %s\n' "$long"
  printf 'COMMIT\n'; } >accept.v4
expect "accepted values load" 0 "$iptsim" save -c --no-header accept.v4
is "accepted values saved as iptables-save prints them" "$out" <<EOF
*filter
:INPUT ACCEPT [18446744073709551615:18446744073709551614]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
[18446744073709551615:1] -A INPUT -j ACCEPT
[12:1] -A INPUT -j ACCEPT
[0:0] -A INPUT -p tcp -m connlimit --connlimit-above 2 --connlimit-mask 32 --connlimit-saddr
[0:0] -A INPUT -p tcp -m connlimit --connlimit-above 2 --connlimit-mask 32 --connlimit-saddr
[0:0] -A INPUT -s 10.0.0.1/32 -d 10.0.0.0/8
[0:0] -A INPUT -m comment --comment "open quote
"
[0:0] -A INPUT -m comment --comment ${long:0:255}
COMMIT
EOF
printf '*filter\n-A INPUT -p tcp -m connlimit --connlimit-above 2 --connlimit-mask 4294967296\nCOMMIT\n' >mask.v4
expect "connlimit mask past 32 bits refused" 2 "$iptsim" check mask.v4
printf '*filter\n-A INPUT -p tcp -m connlimit --connlimit-above 2 --connlimit-mask 129\nCOMMIT\n' >mask.v6
expect "IPv6 connlimit mask 129 refused" 2 "$iptsim" check -6 mask.v6
printf '*filter\n:INPUT ACCEPT [12abc:1]\nCOMMIT\n' >chain-counters.v4
expect "chain counters with text refused" 2 "$iptsim" check chain-counters.v4
printf '*filter\n[1:x] -A INPUT -j ACCEPT\nCOMMIT\n' >rule-counters.v4
expect "rule counters without digits refused" 2 "$iptsim" check rule-counters.v4

# 4. --time is range-checked.
expect "--time 1e18 refused" 2 "$iptsim" trace ok.v4 -i eth0 -p tcp --dport 22 --time 1e18
has_line "--time 1e18 message" "$err" "iptsim trace: error: packet 1: invalid time '1e18' (seconds, a number from 0 to 4294967295) (at '1e18')"

# 5. An error in a long line quotes 160 characters around the column.
{ echo '*filter'
  pad=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
  printf -- '-A INPUT'; for i in $(seq 20); do printf -- ' -m comment --comment %s%02d' $pad $i; done
  printf -- ' -m nosuchmatch'; for i in $(seq 20); do printf -- ' -m comment --comment %s%02d' $pad $i; done
  echo; echo COMMIT; } >long.v4
expect "long line error" 2 "$iptsim" check long.v4
line=$(sed -n 2p long.v4)
pre=${line%%nosuchmatch*}
col=$(( ${#pre} + 1 ))
{ echo "long.v4:2:$col: error: unknown match 'nosuchmatch'"
  echo "...${line:$((col - 61)):160}..."
  printf '%63s^%s\n' '' '~~~~~~~~~~'; echo "1 error"; } >"$tmp/long-want"
head -1 "$err" | grep -q "^long.v4:2:$col: error: " && pass=$((pass + 1)) || {
  echo "FAIL long line: first line"; head -1 "$err"; fail=$((fail + 1)); }
if [ "$(sed -n 2p "$err")" = "$(sed -n 2p "$tmp/long-want")" ] &&
   [ "$(sed -n 3p "$err")" = "$(sed -n 3p "$tmp/long-want")" ]; then pass=$((pass + 1)); else
  echo "FAIL long line quote:"; sed -n 2,3p "$err"; fail=$((fail + 1)); fi

# 6. Host JSON values out of the kernel's range.
sed 's/"mtu":1500/"mtu":-1/' "$src/tests/data/host/netns-router.json" >mtu-neg.json
expect "mtu -1 refused" 2 "$iptsim" trace --host mtu-neg.json ok.v4 -i d0 -p tcp --dport 22
has_line "mtu -1 message" "$err" \
  "mtu-neg.json:1:$(( $(grep -bo '"mtu":-1' mtu-neg.json | head -1 | cut -d: -f1) + 7 )): error: \"mtu\" must be a whole number from 0 to 4294967295"
sed 's/"mtu":1500/"mtu":99999999999/' "$src/tests/data/host/netns-router.json" >mtu-big.json
expect "mtu 99999999999 refused" 2 "$iptsim" trace --host mtu-big.json ok.v4 -i d0 -p tcp --dport 22
grep -q 'error: "mtu" must be a whole number from 0 to 4294967295$' "$err" && pass=$((pass + 1)) || {
  echo "FAIL mtu 99999999999 message"; head -3 "$err"; fail=$((fail + 1)); }

# 7. Inputs that cannot be real end at once, with a message.
expect "check /dev/zero" 2 "$iptsim" check /dev/zero
is "check /dev/zero message" "$err" <<'EOF'
iptsim: error: '/dev/zero' contains a NUL byte: not an iptables-save text
EOF
expect "--ipset /dev/zero" 2 "$iptsim" trace --ipset /dev/zero ok.v4 -i eth0 -p tcp --dport 22
is "--ipset /dev/zero message" "$err" <<'EOF'
iptsim: error: '/dev/zero' contains a NUL byte: not an ipset save file
EOF
expect "--host /dev/zero" 2 "$iptsim" trace --host /dev/zero ok.v4 -i eth0 -p tcp --dport 22
has_line "--host /dev/zero message" "$err" "/dev/zero: error: the host file contains a NUL byte: not a host file"

# Running out of memory is a message and exit 2, not an abort (skipped where
# the binary cannot start under the limit, e.g. a sanitizer build).
if (ulimit -v 400000; "$iptsim" --version) >/dev/null 2>&1; then
  { echo '*filter'; yes -- '-A INPUT -j ACCEPT' | head -c 300000000; } >big.v4
  (ulimit -v 400000; "$iptsim" check - <big.v4) >"$out" 2>"$err"
  rc=$?
  rm -f big.v4
  if [ $rc -eq 2 ]; then pass=$((pass + 1)); else
    echo "FAIL out of memory: exit $rc, want 2"; fail=$((fail + 1)); fi
  is "out of memory message" "$err" <<'EOF'
iptsim check: error: out of memory (the input is too large for the memory iptsim may use)
EOF
else
  echo "SKIP out of memory: the binary does not start under ulimit -v 400000"
fi

echo "cli_hardening: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
