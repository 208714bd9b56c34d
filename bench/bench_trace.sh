#!/bin/bash
# Benchmark (not a test): packets per second through Simulator::Run on one
# thread (iptsim_trace_bench: no output, and the kernel TRACE format into a
# buffer), and the kernel's own packets/s through the same 100-rule firewall,
# measured in the same run.
#   bench/bench_trace.sh [SECONDS] [KUBE_SERVICES] [KUBE_ENDPOINTS]   (default 3 10000 3)
#   PREVIOUS=DIR bench/bench_trace.sh ...   also runs DIR/bench/iptsim_trace_bench
#             (a build of an earlier commit) on every case, right after the
#             current one, so that a change is compared in the same run.
#
# Rulesets:
#   firewall  bench/gen_firewall.py: a stateless 100-rule host firewall (INPUT
#             policy DROP, user chains, blocklist, multiport, LOG), 1000 packets
#             of a mixed workload arriving on eth0 (local-in).
#   kube      bench/gen_kube.py 10000 3 (150,000 lines), 1000 packets of a
#             node's traffic, with --assume statistic=true addrtype=true (see
#             gen_kube.py --packets for which packets and why).  The packets are
#             replayed pass after pass in one Simulator run: from the second
#             pass on their connections exist and skip nat, as in the kernel;
#             --fresh measures each packet as the first of its connection.
#
# The kernel (root only; skipped otherwise): a throw-away pair of network
# namespaces joined by a veth ("eth0" in the lab: 198.51.100.10/24, MAC
# 02:00:00:00:00:02, rp_filter off), the firewall loaded with
# iptables-legacy-restore, the same 1000 packets sent as Ethernet frames from
# the peer end (iptsim_kernel_blast: AF_PACKET, sendmmsg, one thread), counted
# by the lab's Ip InReceives (/proc/net/snmp) and checked against the INPUT
# policy and rule counters.  The same is measured with an empty INPUT chain
# (policy DROP): the cost of the rest of the path (sender, veth, IP receive),
# so that the ruleset's own cost per packet can be told apart.  Nothing is
# done in the host namespace; the namespaces go on every exit (trap).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-3}
svc=${2:-10000}
eps=${3:-3}
bdir=${BUILD:-build-rel}
if [ ! -x "$bdir/bench/iptsim_trace_bench" ] || [ ! -x "$bdir/bench/iptsim_kernel_blast" ]; then
  cmake -S . -B "$bdir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DIPTSIM_TESTS=OFF >/dev/null
  ninja -C "$bdir" iptsim_trace_bench iptsim_kernel_blast >/dev/null
fi
bench=$bdir/bench/iptsim_trace_bench
blast=$bdir/bench/iptsim_kernel_blast
tmp=$(mktemp -d)
lab=iptsim-pps-$$-lab
peer=iptsim-pps-$$-peer
cleanup() {
  ip netns del "$lab" 2>/dev/null || true
  ip netns del "$peer" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM HUP

python3 bench/gen_firewall.py --packets "$tmp/fw.pk" 1000 > "$tmp/fw.v4"
python3 bench/gen_kube.py "$svc" "$eps" --packets "$tmp/kube.pk" 1000 > "$tmp/kube.v4"

# run_bench ARGS...: the current build, then the previous one (PREVIOUS).
run_bench() {
  "$bench" "$@"
  if [ -n "${PREVIOUS:-}" ]; then
    echo "-- previous build ($PREVIOUS):"
    "$PREVIOUS/bench/iptsim_trace_bench" "$@"
  fi
}
echo "== iptsim: firewall ($(grep -c '^-A' "$tmp/fw.v4") rules), one thread"
run_bench --seconds "$secs" "$tmp/fw.v4" "$tmp/fw.pk"
echo
echo "== iptsim: kube-proxy $svc services x $eps endpoints ($(wc -l < "$tmp/kube.v4") lines), one thread"
run_bench --seconds "$secs" --assume statistic=true --assume addrtype=true \
  "$tmp/kube.v4" "$tmp/kube.pk"
echo "-- the same, every packet the first of its connection (a new connection table per pass: nat runs)"
run_bench --seconds "$secs" --fresh --assume statistic=true --assume addrtype=true \
  "$tmp/kube.v4" "$tmp/kube.pk"
echo

if [ "$(id -u)" -ne 0 ] || ! command -v iptables-legacy-restore >/dev/null; then
  echo "== kernel: skipped (needs root and iptables-legacy-restore)"
  exit 0
fi
ip netns add "$lab"
ip netns add "$peer"
ip -n "$lab" link add eth0 type veth peer name eth0 netns "$peer"
ip -n "$lab" link set eth0 address 02:00:00:00:00:02
ip -n "$peer" link set eth0 address 02:00:00:00:00:01
for n in "$lab" "$peer"; do
  ip -n "$n" link set lo up
  ip -n "$n" link set eth0 up
  ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
done
ip -n "$lab" addr add 198.51.100.10/24 dev eth0
ip -n "$lab" route add default dev eth0
for k in all default eth0; do
  ip netns exec "$lab" sysctl -qw "net.ipv4.conf.$k.rp_filter=0"
  ip netns exec "$lab" sysctl -qw "net.ipv4.conf.$k.arp_ignore=0"
done
# Replies (REJECT, RST, ICMP) go to the peer, which drops them: a static
# neighbour entry spares ARP.
ip -n "$lab" neigh replace 198.51.100.1 lladdr 02:00:00:00:00:01 dev eth0 nud permanent

in_receives() {
  ip netns exec "$lab" awk '/^Ip: [0-9]/ { print $4 }' /proc/net/snmp
}
# Packets that reached INPUT's end or a terminal rule of it, summed from
# iptables-legacy-save -c (policy + rules of INPUT with a verdict; user chains
# are reached through INPUT, so their terminal rules count too).
input_counted() {
  ip netns exec "$lab" iptables-legacy-save -c -t filter | awk '
    /^:INPUT / { split($3, c, /[\[:\]]/); n += c[2] }
    /^\[/ && / -A (INPUT|BLOCKLIST|SANITY|ICMP-IN|REPLIES|SSH-IN|WEB-IN|SERVICES|SVC-[A-Z]+|LOG-DROP) / &&
      / -j (ACCEPT|DROP|REJECT)/ { split($1, c, /[\[:\]]/); n += c[2] }
    END { print n + 0 }'
}
measure() {  # label ruleset-file
  ip netns exec "$lab" iptables-legacy-restore < "$2"
  ip netns exec "$peer" "$blast" eth0 "$tmp/fw.pk" 0.3 >/dev/null  # warm-up
  ip netns exec "$lab" iptables-legacy -Z
  local r0 r1 out sent t counted
  r0=$(in_receives)
  out=$(ip netns exec "$peer" "$blast" eth0 "$tmp/fw.pk" "$secs")
  r1=$(in_receives)
  read -r sent t <<< "$out"
  counted=$(input_counted)
  awk -v l="$1" -v s="$sent" -v t="$t" -v r=$((r1 - r0)) -v c="$counted" 'BEGIN {
    printf "%-34s %12.0f packets/s  (%d frames sent, %d received, %d counted by INPUT, %.2f s)\n",
      l, r / t, s, r, c, t }'
  last_pps=$(awk -v t="$t" -v r=$((r1 - r0)) 'BEGIN { printf "%.0f", r / t }')
}
echo "== kernel $(uname -r): the same 1000 packets as frames into a lab namespace (one sender thread)"
measure "firewall (100 rules):" "$tmp/fw.v4"
pps_fw=$last_pps
printf '*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n' > "$tmp/empty.v4"
measure "empty INPUT, policy DROP:" "$tmp/empty.v4"
awk -v a="$pps_fw" -v b="$last_pps" 'BEGIN { if (a > 0 && b > 0)
  printf "difference: %.2f us/packet (the 100 rules, plus delivery and replies of the 40%% accepted)\n",
    1e6 / a - 1e6 / b }'
