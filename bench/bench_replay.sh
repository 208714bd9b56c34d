#!/bin/bash
# Benchmark (not a test): `iptsim replay` over a kernel log of LINES lines
# (default 1,000,000).  The log is made by iptsim itself: distinct TCP SYNs
# (each its own connection) through a small stateful firewall with a raw
# TRACE rule, their TRACE lines with dmesg timestamps, a journal line of
# another program every 10 lines; every packet then replays equal.  Prints
# the log's size, the wall time and the peak memory of the replay.
#   bench/bench_replay.sh [LINES]
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-1000000}
iptsim=${IPTSIM:-build-rel/iptsim}
if [ ! -x "$iptsim" ]; then
  cmake -S . -B build-rel -G Ninja -DCMAKE_BUILD_TYPE=Release -DIPTSIM_TESTS=OFF >/dev/null
  ninja -C build-rel iptsim >/dev/null
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/rules.v4" <<'R'
*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -i eth0 -j TRACE
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -s 10.0.0.0/8 -j ACCEPT
COMMIT
R
# A SYN gives 2 TRACE lines (raw PREROUTING policy, filter INPUT rule).
packets=$(( (lines * 9 / 10 + 1) / 2 ))
awk -v n="$packets" 'BEGIN { for (i = 0; i < n; i++)
  printf "-i eth0 -s 10.%d.%d.%d -d 192.0.2.1 -p tcp --sport %d --dport %s --syn\n",
         int(i / 65536) % 256, int(i / 256) % 256, i % 256, 1024 + i % 60000,
         (i % 3 == 0 ? "22" : i % 3 == 1 ? "80" : "443") }' >"$tmp/packets"
"$iptsim" trace --quiet --packets "$tmp/packets" "$tmp/rules.v4" 2>/dev/null |
  awk '{ printf "[%6d.%06d] %s\n", NR / 1000, NR % 1000000, $0
         if (NR % 9 == 0) print "Dec  7 20:29:25 fw sshd[812]: Accepted publickey for root" }' \
  >"$tmp/kernel.log"
echo "log: $(wc -l <"$tmp/kernel.log") lines, $(du -m "$tmp/kernel.log" | cut -f1) MB, $packets packets"
/usr/bin/time -f "replay: %e s wall, %M KB peak memory" \
  "$iptsim" replay "$tmp/rules.v4" "$tmp/kernel.log" >"$tmp/report" || true
tail -1 "$tmp/report"
