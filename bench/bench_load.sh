#!/bin/bash
# Benchmark (not a test): load time and peak memory of `iptsim check` against
# `iptables-legacy-restore --test` on the same kube-proxy-shaped ruleset,
# measured in the same run.  The peer needs root and runs in a throw-away
# network namespace (never the host's).
#   bench/bench_load.sh [SERVICES] [ENDPOINTS] [RUNS]     (default 10000 3 5)
#   PREVIOUS_IPTSIM=BIN bench/bench_load.sh ...   also measures BIN (a build of
#             an earlier commit) in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
svc=${1:-10000}
eps=${2:-3}
runs=${3:-5}
iptsim=${IPTSIM:-build-rel/iptsim}
if [ ! -x "$iptsim" ]; then
  cmake -S . -B build-rel -G Ninja -DCMAKE_BUILD_TYPE=Release -DIPTSIM_TESTS=OFF >/dev/null
  ninja -C build-rel iptsim >/dev/null
fi
rules=$(mktemp --suffix=.v4)
ns=iptsim-bench-$$
cleanup() { rm -f "$rules"; ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT INT TERM
python3 bench/gen_kube.py "$svc" "$eps" > "$rules"
echo "ruleset: $svc services x $eps endpoints: $(wc -l < "$rules") lines, $(du -m "$rules" | cut -f1) MB"
"$iptsim" check "$rules" 2>&1 | tail -3

# median of RUNS measurements of "seconds maxrss_kb": wall time from a
# nanosecond clock, peak memory from /usr/bin/time (same run)
measure() {
  for _ in $(seq "$runs"); do
    local t0 t1 rss
    t0=$(date +%s%N)
    rss=$(/usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -1)
    t1=$(date +%s%N)
    echo "$(( (t1 - t0) / 1000 )) $rss"
  done | sort -n | awk -v n="$runs" 'NR == int((n + 1) / 2) { printf "%.3f %d\n", $1 / 1e6, $2 }'
}
read -r t_sim m_sim < <(measure "$iptsim" check "$rules")
if [ -n "${PREVIOUS_IPTSIM:-}" ]; then
  read -r t_prev m_prev < <(measure "$PREVIOUS_IPTSIM" check "$rules")
  printf '%-40s %8s s %8s MB\n' "previous build: iptsim check" "$t_prev" "$((m_prev / 1024))"
fi
if [ "$(id -u)" -eq 0 ] && command -v iptables-legacy-restore >/dev/null; then
  ip netns add "$ns"
  read -r t_ipt m_ipt < <(measure sh -c "ip netns exec $ns iptables-legacy-restore --test < $rules")
  # The peer's figure includes `ip netns exec` and sh: measure those alone too.
  read -r t_nop m_nop < <(measure sh -c "ip netns exec $ns true")
  printf '%-40s %8s s %8s MB\n' "iptsim check" "$t_sim" "$((m_sim / 1024))"
  printf '%-40s %8s s %8s MB\n' "iptables-legacy-restore --test" "$t_ipt" "$((m_ipt / 1024))"
  printf '%-40s %8s s %8s MB\n' "(ip netns exec + sh alone)" "$t_nop" "$((m_nop / 1024))"
  awk -v a="$t_ipt" -v b="$t_sim" 'BEGIN { if (b > 0) printf "speed-up: %.1fx\n", a / b; else print "speed-up: iptsim below the timer resolution" }'
else
  printf '%-40s %8s s %8s MB\n' "iptsim check" "$t_sim" "$((m_sim / 1024))"
  echo "peer skipped: iptables-legacy-restore needs root and iptables installed"
fi
