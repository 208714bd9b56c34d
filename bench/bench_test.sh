#!/bin/bash
# Benchmark (not a test): `iptsim test` on a spec of one case per service of
# the kube-proxy-shaped ruleset (bench/gen_kube.py): a pod's packet to the
# service's cluster IP and port, expected ACCEPT with the service's
# KUBE-SERVICES rule (named by its comment) on the path and the DNAT to one
# of the endpoints (seed: decides the random choice).  Reports the wall time
# and peak memory of the whole command (reading the ruleset, binding every
# case, running them on all cores) and of `iptsim check` alone.
#   bench/bench_test.sh [CASES] [ENDPOINTS] [JOBS]     (default 10000 3, all cores)
# (about three services in four have a TCP cluster IP rule of that shape:
# the ruleset gets CASES * 3/2 services and the spec its first CASES.)
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-10000}
svc=$((cases * 3 / 2))
eps=${2:-3}
jobs=${3:-}
iptsim=${IPTSIM:-build/iptsim}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 bench/gen_kube.py "$svc" "$eps" > "$dir/kube.v4"
# One case per KUBE-SERVICES cluster IP rule: "-d IP/32 -p tcp -m comment
# --comment "NAME cluster IP" -m tcp --dport PORT".
python3 - "$dir/kube.v4" "$cases" > "$dir/kube.yaml" <<'PY'
import re, sys
left = int(sys.argv[2])
print("rules: kube.v4\nseed: 1\ncases:")
pat = re.compile(r'^-A KUBE-SERVICES -d (\S+)/32 -p tcp -m comment --comment "([^"]+ cluster IP)" -m tcp --dport (\d+)')
for line in open(sys.argv[1]):
    m = pat.match(line)
    if not m or left == 0:
        continue
    left -= 1
    ip, comment, port = m.groups()
    name = comment[: -len(" cluster IP")]
    print(f"  - name: {name}")
    print(f"    packet: -o eth0 -s 10.244.1.5 -d {ip} -p tcp --sport 40000 --dport {port} --syn")
    print("    verdict: ACCEPT")
    print(f"    path_includes: {{comment: \"{comment}\"}}")
PY
echo "spec: $(grep -c '^  - name:' "$dir/kube.yaml") cases over $(wc -l < "$dir/kube.v4") ruleset lines"
measure() {  # seconds and peak memory of one run
  /usr/bin/time -f '%e s wall, %U s user, %M KB peak' "$@" >"$dir/out" 2>"$dir/time" || true
  tail -1 "$dir/time"
}
echo "iptsim check:              $(measure "$iptsim" check "$dir/kube.v4")"
echo "iptsim test ${jobs:+-j $jobs }(all cases):  $(measure "$iptsim" test ${jobs:+-j "$jobs"} "$dir/kube.yaml")"
tail -1 "$dir/out"
