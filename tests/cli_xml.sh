#!/bin/bash
# iptables-xml output as RULES (docs/loading.md): it loads as the
# iptables-save text iptables.xslt makes of it, and every diagnostic points
# into the XML.  small.xml is `iptables-xml -c small.v4` (iptables 1.8.9);
# the saved form expected of it is what iptables-legacy-restore -c of
# small.v4 then iptables-legacy-save -c printed in a network namespace
# (an ipset "blocked" created first), with the tables in the file's order.
# usage: cli_xml.sh IPTSIM SOURCE_DIR
set -u
iptsim=$1
src=$2
d=$src/tests/data/xml
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

# 1. The XML loads and saves as the kernel saved the ruleset it was made of:
# combined actions split again, counters, "!", the UTF-8 comment.
expect "small.xml saves" 0 "$iptsim" save -c --no-header small.xml
is "small.xml saved as the kernel saves small.v4" "$out" <<'EOF'
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
[0:0] -A PREROUTING -i eth0 -p tcp -m tcp --dport 2222 -j DNAT --to-destination 192.168.1.30:22
[0:0] -A POSTROUTING -o eth0 -j MASQUERADE
COMMIT
*filter
:INPUT DROP [10:2000]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [5:300]
:LOGDROP - [0:0]
:SSH - [0:0]
[3:180] -A INPUT -i lo -j ACCEPT
[7:420] -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
[0:0] -A INPUT ! -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -m comment --comment "ssh from outside – café" -j SSH
[0:0] -A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT
[0:0] -A INPUT -j LOGDROP
[0:0] -A FORWARD -m set ! --match-set blocked src -g LOGDROP
[0:0] -A LOGDROP -m limit --limit 5/min -j LOG --log-prefix "dropped: "
[0:0] -A LOGDROP -m limit --limit 5/min -j DROP
[0:0] -A LOGDROP -j DROP
[0:0] -A SSH -s 192.0.2.0/24 -j ACCEPT
[0:0] -A SSH -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j REJECT --reject-with tcp-reset
COMMIT
EOF
expect "small.v4 saves" 0 "$iptsim" save -c --no-header small.v4
cp "$out" "$tmp/v4"
expect "small.xml saves again" 0 "$iptsim" save -c --no-header small.xml
is "small.xml and small.v4 save alike" "$out" <"$tmp/v4"
expect "check takes XML" 0 "$iptsim" check small.xml
# small-v.xml is `iptables-xml -v small.v4`: a line "xptables-xml" first, comments.
expect "small-v.xml saves" 0 "$iptsim" save -c --no-header small-v.xml
is "small-v.xml and small.v4 save alike" "$out" <"$tmp/v4"

# 2. Rules remember the line of their <rule> element.
expect "trace" 0 "$iptsim" trace --format explain small.xml -i eth1 -p icmp --icmp-type 8 -s 10.1.1.1 -d 10.0.0.1
is "explain names the <rule> element's line" "$out" <<'EOF'
  (conntrack)                    NEW (original), icmp 10.1.1.1 -> 10.0.0.1 id 1, unconfirmed
nat:PREROUTING:policy:2          policy ACCEPT
filter:INPUT:rule:4              small.xml:87: [0:0] -A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT
nat:INPUT:policy:1               policy ACCEPT
verdict: ACCEPT by filter:INPUT:rule:4 (small.xml:87: [0:0] -A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT)
path: local-in (PREROUTING, INPUT)
EOF

# 3. A loader error points at the XML text it is about.
expect "bad port" 2 "$iptsim" check bad-port.xml
is "bad port message" "$err" <<'EOF'
bad-port.xml:10:19: error: -m tcp: invalid port/service '99999' specified
          <dport >99999</dport>
                  ^~~~~
1 error
EOF

# 4. A chain name XML does not allow: iptables-xml's output is no XML.
expect "not XML" 2 "$iptsim" check bad-name.xml
is "not XML message" "$err" <<'EOF'
bad-name.xml:12:12: error: this is not well-formed XML (Could not determine tag type); iptables-xml writes chain and target names as element names, so a name XML does not allow (one starting with a digit or holding '~', '!', '%'...) makes its output unreadable: load the iptables-save text instead
          <~log0 />
           ^
1 error
EOF

# 5. The corpus's own iptables-xml file loads.
expect "fedora27 xml" 0 "$iptsim" check ../../../corpus/iptables-tests/dumps/ipt-save-fedora27-iptables.xml

echo "cli_xml: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
