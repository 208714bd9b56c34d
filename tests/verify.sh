#!/bin/bash
# Tests of `iptsim verify` itself (the scenarios are tests/verify_scenarios.sh):
#   refusal   as a non-root user: a clear message, exit 2 (runs without root too)
#   input     bad input exits 2 before any lab is made
#   nohost    without --host: the lab the packets imply, TRACE rules added -> agree
#   icmp-payload  an ICMP/ICMPv6 error's --payload-hex is the embedded packet
#             on both sides (v4 and v6)
#   mac       a host file without MACs: the lab's MAC is the simulation's too
#   differ    a different ruleset in the kernel (IPTSIM_VERIFY_KERNEL_RULES) is
#             found: exit 1 and the diff; the same rules agree (exit 0); legacy and nft
#   keep      --keep leaves the lab and says how to enter and delete it
#   sigint    SIGINT mid-run: the process dies of it, nothing is left
#   leftovers (also `verify-leftovers` after the whole kernel suite) no lab
#             namespace of a dead process, no lab device in the initial
#             namespace, nf_log_all_netns as before
# Root only beyond `refusal` and `input`: otherwise those run, then a loud SKIP
# (exit 77).
#
# usage: verify.sh IPTSIM SOURCE_DIR [--record FILE | --check-leftovers FILE]
#   --record FILE           write nf_log_all_netns and the initial namespace's
#                           devices to FILE (ctest fixture setup)
#   --check-leftovers FILE  only the leftovers check, against FILE's value
set -u
iptsim=$1
src=$2
shift 2
lock=/run/iptsim-lab.lock
tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok       $1"; }
bad() { echo "FAIL     $1"; fail=$((fail + 1)); }

nf_log() { cat /proc/sys/net/netfilter/nf_log_all_netns 2>/dev/null || echo "?"; }

# Leftovers, checked while holding the machine-wide lab lock (no lab is
# half-built or running meanwhile; labs of other live processes are theirs).
check_leftovers() {  # check_leftovers EXPECTED_NF_LOG [DEVICES_BEFORE]
  flock -w 120 "$lock" bash -c '
    status=0
    # Lab namespaces are iptsim-PID-N[-I] (verifier/lab.h).
    for ns in $(ls /run/netns 2>/dev/null | grep -E "^iptsim-[0-9]+-[0-9]+(-[0-9]+)?$"); do
      pid=${ns#iptsim-}; pid=${pid%%-*}
      if [ -f "/run/iptsim-keep/$ns" ]; then continue; fi   # kept on purpose (--keep)
      if ! kill -0 "$pid" 2>/dev/null; then echo "    left over: namespace $ns (pid $pid is gone)"; status=1; fi
    done
    for dev in $(ls /sys/class/net); do
      case "$dev" in d0|e0|vfa0|vfb0) echo "    left over: device $dev in the initial namespace"; status=1; continue ;; esac
      if [ -n "$2" ] && ! grep -qx "$dev" <<<"$2"; then
        echo "    left over: device $dev in the initial namespace (not there before the tests)"; status=1
      fi
    done
    v=$(cat /proc/sys/net/netfilter/nf_log_all_netns)
    if [ "$v" != "$1" ]; then echo "    nf_log_all_netns is $v, was $1"; status=1; fi
    if [ -e /run/iptsim-lab.state ]; then echo "    /run/iptsim-lab.state remains"; status=1; fi
    exit $status' _ "$1" "${2:-}"
}

case "${1:-}" in
  --record)
    [ "$(id -u)" -eq 0 ] || { echo "*** SKIP: verify leftovers: needs root ***"; exit 77; }
    flock -w 120 "$lock" bash -c 'cat /proc/sys/net/netfilter/nf_log_all_netns; ls /sys/class/net' >"$2"
    echo "before the kernel tests: nf_log_all_netns $(head -1 "$2"), devices $(tail -n +2 "$2" | tr '\n' ' ')"
    exit 0 ;;
  --check-leftovers)
    [ "$(id -u)" -eq 0 ] || { echo "*** SKIP: verify leftovers: needs root ***"; exit 77; }
    [ -f "$2" ] || { echo "no recorded value in $2 (run the fixture setup first)"; exit 2; }
    if check_leftovers "$(head -1 "$2")" "$(tail -n +2 "$2")"; then ok "no namespace, device or sysctl left after the kernel tests"; exit 0; fi
    bad "leftovers after the kernel tests"
    exit 1 ;;
esac

cat >"$tmp/rules" <<'EOF'
*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -i vfa0 -j TRACE
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp --dport 22 -j ACCEPT
-A INPUT -p udp -j LOG --log-prefix "udp: "
COMMIT
EOF
# The same with one port changed: what a stale or different kernel ruleset looks like.
sed 's/--dport 22/--dport 2222/' "$tmp/rules" >"$tmp/other"
chmod 644 "$tmp/rules" "$tmp/other"
pkt=(-i vfa0 -s 10.201.0.1 -d 10.201.0.2 -p tcp --dport 22)
printf 'iface vfa0,addr=10.201.0.2/24\n' >"$tmp/host"

# --- refusal: not root -> exit 2 and a clear message -----------------------
refusal() {  # refusal CMD-PREFIX...
  "$@" "$iptsim" verify --host "$tmp/host" "$tmp/rules" "${pkt[@]}" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ $rc -eq 2 ] && grep -q "cannot run the kernel side here: needs root" "$tmp/err"; then
    ok "refusal without root: exit 2, '$(head -1 "$tmp/err")'"
  else
    bad "refusal without root: exit $rc"
    sed 's/^/    /' "$tmp/out" "$tmp/err" | head -10
  fi
}
if [ "$(id -u)" -eq 0 ]; then
  if command -v setpriv >/dev/null; then
    refusal setpriv --reuid=65534 --regid=65534 --clear-groups
  elif command -v runuser >/dev/null; then
    refusal runuser -u nobody --
  else
    echo "note: neither setpriv nor runuser: refusal as a non-root user not checked"
  fi
else
  refusal env
fi

# --- input: bad input is exit 2 with the place, before any lab --------------
printf '*filter\n-A INPUT -p tcp --dportt 22 -j ACCEPT\nCOMMIT\n' >"$tmp/broken"
"$iptsim" verify "$tmp/broken" "${pkt[@]}" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 2 ] && grep -q "broken:2:" "$tmp/err"; then ok "a ruleset error: exit 2 with file:line"; else bad "a ruleset error: exit $rc"; cat "$tmp/err"; fi
printf 'iface vfa0,addr=10.201.0.2/24\nroutee x\n' >"$tmp/badhost"
"$iptsim" verify --host "$tmp/badhost" "$tmp/rules" "${pkt[@]}" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 2 ] && grep -q "badhost:2:1: error: unknown directive 'routee'" "$tmp/err"; then
  ok "a host file error: exit 2 with file:line:col"
else
  bad "a host file error: exit $rc"; cat "$tmp/err"
fi
"$iptsim" verify "$tmp/rules" -i vfa0 -p tcp --dportt 22 >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 2 ] && grep -q "packet 1:" "$tmp/err"; then ok "a packet error: exit 2"; else bad "a packet error: exit $rc"; cat "$tmp/err"; fi
"$iptsim" verify --backend bpf "$tmp/rules" "${pkt[@]}" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 2 ]; then ok "an unknown backend: exit 2"; else bad "an unknown backend: exit $rc"; fi

if [ "$(id -u)" -ne 0 ]; then
  echo "*** SKIP: verify: the kernel side needs root (network namespaces, /dev/kmsg); $fail failures so far ***"
  [ $fail -eq 0 ] || exit 1
  exit 77
fi
before=$(flock -w 120 "$lock" cat /proc/sys/net/netfilter/nf_log_all_netns)

# --- nohost: the lab from the packets, TRACE rules added ---------------------
printf '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A FORWARD -o vfb0 -p udp -j ACCEPT\n-A OUTPUT -o vfb0 -p tcp -j DROP\nCOMMIT\n' >"$tmp/notrace"
"$iptsim" verify --timeout 60 -v "$tmp/notrace" -i vfa0 -d 10.202.0.2 -p tcp --dport 22 \
  -- -i vfa0 -o vfb0 -d 10.203.0.9 -p udp -- -o vfb0 -d 10.203.0.10 -p tcp --uid 1000 --id 7 \
  >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 0 ] && grep -q "filter:FORWARD:rule:1 IN=vfa0 OUT=vfb0" "$tmp/out" &&
   grep -q "filter:OUTPUT:rule:1 IN= OUT=vfb0" "$tmp/out" && grep -q "filter:INPUT:rule:1 IN=vfa0" "$tmp/out"; then
  ok "without --host: local, forwarded and local-out packets agree (TRACE rules added)"
else
  bad "without --host: exit $rc"; sed 's/^/    /' "$tmp/out" "$tmp/err" | head -30
fi

# --- icmp-payload: an ICMP error's --payload-hex is its embedded packet ------
# (the body after the ICMP header: a UDP datagram with 4 data bytes; the LOG
# line shows it in brackets, LEN=60 / LEN=100 on both sides)
inner4=4500002000010000401166b80a0900020a09000104d20035000c000061626364
inner6=60000000000c1140fd090000000000000000000000000002fd09000000000000000000000000000104d20035000c000061626364
printf '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p icmp -j LOG --log-prefix "ERR: "\nCOMMIT\n' >"$tmp/icmp4"
printf '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p ipv6-icmp -j LOG --log-prefix "ERR: "\nCOMMIT\n' >"$tmp/icmp6"
for v in 4 6; do
  if [ $v = 4 ]; then args=(-p icmp --icmp-type 3/3 --payload-hex "$inner4"); want='ERR: .* LEN=60 .*PROTO=ICMP TYPE=3 CODE=3 \[SRC=10.9.0.2 DST=10.9.0.1 LEN=32 .*PROTO=UDP SPT=1234 DPT=53 LEN=12 \]'
  else args=(-p icmpv6 --icmpv6-type 1/4 --payload-hex "$inner6"); want='ERR: .* LEN=100 .*PROTO=ICMPv6 TYPE=1 CODE=4 \[SRC=fd09:.* LEN=52 .*PROTO=UDP SPT=1234 DPT=53 LEN=12 \]'; fi
  "$iptsim" verify --timeout 60 -v "$tmp/icmp$v" -i vfa0 "${args[@]}" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ $rc -eq 0 ] && grep -Eq "$want" "$tmp/out"; then
    ok "IPv$v ICMP error with --payload-hex: the kernel reads the payload as the embedded packet, as iptsim"
  else
    bad "IPv$v ICMP error with --payload-hex: exit $rc"; sed 's/^/    /' "$tmp/out" "$tmp/err" | head -20
  fi
done

# --- mac: a host file without MACs: the lab's MAC is the simulation's too ------
# (the second frame goes to another MAC: both drop it before PREROUTING)
"$iptsim" verify --timeout 60 --host "$tmp/host" "$tmp/rules" "${pkt[@]}" \
  -- "${pkt[@]}" --mac-dst 02:00:00:00:00:77 >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 0 ] && grep -q "packet 2: no line on either side" "$tmp/err"; then
  ok "host file without a MAC: a frame to another MAC is dropped on both sides"
else
  bad "host file without a MAC: exit $rc"; sed 's/^/    /' "$tmp/out" "$tmp/err" | head -20
fi

# --- a device's sysctl: rp_filter on vfa0 drops a source it cannot route back --
printf 'iface vfa0,addr=10.201.0.2/24\nsysctl net.ipv4.conf.vfa0.rp_filter=1\n' >"$tmp/rphost"
"$iptsim" verify --timeout 60 --host "$tmp/rphost" "$tmp/rules" "${pkt[@]}" \
  -- -i vfa0 -s 10.99.0.1 -d 10.201.0.2 -p tcp --dport 22 >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 0 ]; then
  ok "a sysctl of a lab device (rp_filter on vfa0): set after the device exists, both sides agree"
else
  bad "a sysctl of a lab device: exit $rc"; sed 's/^/    /' "$tmp/out" "$tmp/err" | head -20
fi

# --- differ: a different kernel ruleset is found ----------------------------
for backend in legacy nft; do
  "$iptsim" verify --timeout 60 --backend $backend --host "$tmp/host" "$tmp/rules" "${pkt[@]}" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ $rc -eq 0 ]; then ok "$backend: the same ruleset agrees"; else bad "$backend: the same ruleset: exit $rc"; sed 's/^/    /' "$tmp/out" "$tmp/err" | head -20; fi
  IPTSIM_VERIFY_KERNEL_RULES=$tmp/other "$iptsim" verify --timeout 60 --backend $backend --host "$tmp/host" \
    "$tmp/rules" "${pkt[@]}" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ $backend = legacy ]; then
    want_minus='^-TRACE: filter:INPUT:policy:3 IN=vfa0'
    want_plus='^\+TRACE: filter:INPUT:rule:1 IN=vfa0'
  else
    want_minus='^- TRACE: 2 [0-9a-f]* filter:INPUT:policy:DROP'
    want_plus='^\+ TRACE: 2 [0-9a-f]* filter:INPUT:rule:0x[0-9a-f]*:ACCEPT .*--dport 22 -j ACCEPT'
  fi
  if [ $rc -eq 1 ] && grep -q '^--- kernel  packet 1' "$tmp/out" && grep -q '^+++ iptsim  packet 1' "$tmp/out" &&
     grep -Eq "$want_minus" "$tmp/out" && grep -Eq "$want_plus" "$tmp/out" &&
     grep -q "1 of 1 packets differ" "$tmp/out"; then
    ok "$backend: a different kernel ruleset: exit 1 and the diff"
  else
    bad "$backend: a different kernel ruleset: exit $rc"; sed 's/^/    /' "$tmp/out" "$tmp/err" | head -20
  fi
done

# --- keep ---------------------------------------------------------------------
"$iptsim" verify --timeout 60 --keep --host "$tmp/host" "$tmp/rules" "${pkt[@]}" >"$tmp/out" 2>"$tmp/err"
rc=$?
ns=$(sed -n 's/^enter:  ip netns exec \([^ ]*\) bash$/\1/p' "$tmp/err")
del=$(sed -n 's/^delete: //p' "$tmp/err")
if [ $rc -eq 0 ] && [ -n "$ns" ] && [ -e "/run/netns/$ns" ] && [ -n "$del" ] &&
   ip netns exec "$ns" iptables-legacy -t filter -S INPUT | grep -q -- '--dport 22 -j ACCEPT'; then
  ok "--keep leaves $ns with the ruleset and says how to delete it"
else
  bad "--keep: exit $rc, namespace '$ns'"; sed 's/^/    /' "$tmp/err" | head -10
fi
[ -n "$del" ] && bash -c "$del"
if [ -n "$ns" ] && [ -e "/run/netns/$ns" ]; then bad "--keep: the printed delete command left $ns"; fi

# --- sigint: interrupted mid-run ----------------------------------------------
: >"$tmp/many"
for i in $(seq 1 60); do echo "-i vfa0 -s 10.201.0.1 -d 10.201.0.2 -p udp --sport 5000 --dport $((6000 + i))" >>"$tmp/many"; done
set -m  # the background job gets SIGINT as the default action, not ignored
"$iptsim" verify --timeout 60 --settle 200 --host "$tmp/host" --packets "$tmp/many" "$tmp/rules" >"$tmp/out" 2>"$tmp/err" &
pid=$!
set +m
for _ in $(seq 1 300); do
  ls /run/netns 2>/dev/null | grep -q "^iptsim-$pid-" && break
  sleep 0.1
done
sleep 1  # mid-run: some packets sent, most not
if ls /run/netns 2>/dev/null | grep -q "^iptsim-$pid-" && [ "$(nf_log)" = 1 ]; then
  kill -INT $pid
  wait $pid
  rc=$?
  if [ $rc -eq 130 ] && ! ls /run/netns 2>/dev/null | grep -q "^iptsim-$pid-" && check_leftovers "$before"; then
    ok "SIGINT mid-run: died of SIGINT, no namespace, device or sysctl left"
  else
    bad "SIGINT mid-run: exit $rc"; ls /run/netns; sed 's/^/    /' "$tmp/err" | head
  fi
else
  bad "SIGINT: the lab of verify (pid $pid) never appeared"
  kill $pid 2>/dev/null
  wait $pid
  sed 's/^/    /' "$tmp/err" | head
fi

# --- leftovers after all of the above -------------------------------------------
if check_leftovers "$before"; then ok "nothing left after these tests"; else bad "leftovers after these tests"; fi

echo "verify: $fail failures"
[ $fail -eq 0 ]
