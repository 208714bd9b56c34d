#!/bin/bash
# iptsim diff's speed (docs/diff.md): a rule change in a 100-rule host
# firewall (bench/gen_firewall.py: port 22 -> 2222 on the SSH rule) and one
# service's endpoint changed in kube-proxy-shaped rulesets of growing size
# (bench/gen_kube.py SERVICES x 3), against the time to load both rulesets
# (iptsim check twice), in the same run.  One core (diff is one thread).
#   bench/bench_diff.sh [IPTSIM] [SERVICES...]   (default build/iptsim 100 200 400)
set -euo pipefail
cd "$(dirname "$0")/.."
iptsim=${1:-build/iptsim}
shift || true
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(100 200 400)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
measure() {  # measure NAME OLD NEW
  local t m c
  /usr/bin/time -f "%e %M" -o "$tmp/time" "$iptsim" diff "$2" "$3" >"$tmp/out" 2>"$tmp/err" || true
  read -r t m < <(tail -1 "$tmp/time")
  /usr/bin/time -f "%e" -o "$tmp/ctime" sh -c "'$iptsim' check '$2' >/dev/null && '$iptsim' check '$3' >/dev/null"
  c=$(cat "$tmp/ctime")
  printf '| %s | %s | %s s | %s MB | %s s |\n' "$1" "$(grep -c '^[0-9]*\. ' "$tmp/out")" "$t" \
    "$((m / 1024))" "$c"
}
echo "| change | sets reported | iptsim diff | peak memory | iptsim check of both |"
echo "|---|---|---|---|---|"
python3 bench/gen_firewall.py >"$tmp/fw.v4"
sed 's/^\(-A INPUT -d 198.51.100.10\/32 -p tcp -m tcp --dport \)22 /\12222 /' "$tmp/fw.v4" >"$tmp/fw2.v4"
measure "firewall (100 rules): SSH port 22 -> 2222" "$tmp/fw.v4" "$tmp/fw2.v4"
for n in "${sizes[@]}"; do
  python3 bench/gen_kube.py "$n" 3 >"$tmp/k.v4"
  # The first endpoint of the first service moves to another address.
  sed '0,/-j DNAT --to-destination [0-9.]*:/s//-j DNAT --to-destination 10.9.9.9:/' \
    "$tmp/k.v4" >"$tmp/k2.v4"
  measure "kube-proxy $n x 3: one endpoint moved" "$tmp/k.v4" "$tmp/k2.v4"
done
