#!/bin/bash
# Captures the real kernel's trace of a scenario (a ruleset, the lab's
# interfaces, packets as hex) with iptsim_capture, in throw-away network
# namespaces.  Root only; nothing is changed in the initial namespace except
# nf_log_all_netns while it runs (restored).
#
# usage: scripts/capture-scenario.sh [--capture BIN] SCENARIO [OUTPUT]
#        scripts/capture-scenario.sh [--capture BIN] --check SCENARIO EXPECTED
#   OUTPUT     where the lines go (default: stdout)
#   --check    capture and compare with EXPECTED: exit 0 same, 1 different (diff
#              shown), 77 not root / no namespaces (a skip)
#   --capture  the iptsim_capture binary (default: build/tests/kernel/iptsim_capture,
#              built with ninja if missing)
#
# SCENARIO: one directive per line, '#' starts a comment, paths are relative to
# the scenario file:
#   ruleset FILE          iptables-save text to load (required)
#   family 4|6            family of the ruleset (default: the first packet's)
#   nft                   iptables-nft-restore + xtables-monitor --trace
#   iface SPEC            NAME[,mac=MAC][,peer=MAC][,addr=CIDR]...[,mtu=N][,tun]
#   route ARGS...         `ip route add ARGS` in the lab
#   forward               IPv4/IPv6 forwarding on
#   sysctl KEY=VALUE      another sysctl of the lab's namespace
#   settle MS             quiet time that ends a packet's capture (default 150)
#   rx IF HEX...          Ethernet frame arriving on IF (hex may be split in words)
#   rxip IF HEX...        IP datagram arriving on the tun device IF
#   tx HEX... [uid=N] [gid=N] [out=IF] [mark=N]
#                         IP datagram sent by a local raw socket of uid/gid
# Output: "== packet N" then the kernel's lines for packet N (TRACE and LOG
# lines verbatim, trailing spaces kept); notes on what the kernel changes in a
# packet go to stderr.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
capture=""
check=0
while [ $# -gt 0 ]; do
  case "$1" in
    --capture) capture=$2; shift 2 ;;
    --check) check=1; shift ;;
    -h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || { echo "capture-scenario: usage: $0 [--check] SCENARIO [OUTPUT|EXPECTED]" >&2; exit 2; }
scenario=$1
out=${2:-}
[ $check -eq 0 ] || [ -n "$out" ] || { echo "capture-scenario: --check needs EXPECTED" >&2; exit 2; }
[ -r "$scenario" ] || { echo "capture-scenario: cannot read $scenario" >&2; exit 2; }

unsupported() {
  if [ $check -eq 1 ]; then
    echo "*** SKIP: capture-scenario $scenario: $1 ***" >&2
    exit 77
  fi
  echo "capture-scenario: $1" >&2
  exit 2
}
[ "$(id -u)" -eq 0 ] || unsupported "needs root (network namespaces, /dev/kmsg)"

if [ -z "$capture" ]; then
  capture=$top/build/tests/kernel/iptsim_capture
  if [ ! -x "$capture" ]; then
    [ -f "$top/build/build.ninja" ] || cmake -S "$top" -B "$top/build" -G Ninja >/dev/null
    ninja -C "$top/build" iptsim_capture >/dev/null || exit 2
  fi
fi

dir=$(cd "$(dirname "$scenario")" && pwd)
args=()
packets=()
ruleset=""
lineno=0
while IFS= read -r line || [ -n "$line" ]; do
  lineno=$((lineno + 1))
  line=${line%%#*}
  read -r -a w <<<"$line"
  [ ${#w[@]} -eq 0 ] && continue
  key=${w[0]}
  rest=("${w[@]:1}")
  bad() { echo "capture-scenario: $scenario:$lineno: $1" >&2; exit 2; }
  case "$key" in
    ruleset) [ ${#rest[@]} -eq 1 ] || bad "ruleset FILE"
             case "${rest[0]}" in /*) ruleset=${rest[0]} ;; *) ruleset=$dir/${rest[0]} ;; esac ;;
    family) case "${rest[*]}" in 4) args+=(-4) ;; 6) args+=(-6) ;; *) bad "family 4 or 6" ;; esac ;;
    nft) args+=(--nft) ;;
    forward) args+=(--forward) ;;
    iface|sysctl|settle) [ ${#rest[@]} -eq 1 ] || bad "$key takes one word"; args+=(--"$key" "${rest[0]}") ;;
    route) [ ${#rest[@]} -ge 1 ] || bad "route ARGS"; args+=(--route "${rest[*]}") ;;
    rx|rxip) [ ${#rest[@]} -ge 2 ] || bad "$key IF HEX"
             hex=$(printf '%s' "${rest[@]:1}"); packets+=("$key:${rest[0]}:$hex") ;;
    tx) hex=""; kv=""
        for x in "${rest[@]}"; do
          case "$x" in *=*) kv="$kv:$x" ;; *) hex="$hex$x" ;; esac
        done
        [ -n "$hex" ] || bad "tx HEX"
        packets+=("tx:$hex$kv") ;;
    *) bad "unknown directive '$key'" ;;
  esac
done <"$scenario"
[ -n "$ruleset" ] || { echo "capture-scenario: $scenario: no 'ruleset FILE'" >&2; exit 2; }

if [ $check -eq 0 ]; then
  if [ -n "$out" ]; then
    exec "$capture" "${args[@]}" "$ruleset" "${packets[@]}" >"$out"
  fi
  exec "$capture" "${args[@]}" "$ruleset" "${packets[@]}"
fi

got=$(mktemp)
trap 'rm -f "$got"' EXIT
"$capture" "${args[@]}" "$ruleset" "${packets[@]}" >"$got"
rc=$?
[ $rc -eq 0 ] || { echo "capture-scenario: iptsim_capture failed (exit $rc)" >&2; exit 2; }
if diff -u "$out" "$got"; then
  echo "capture-scenario: $scenario: same as $out"
  exit 0
fi
echo "capture-scenario: $scenario: the kernel's lines differ from $out" >&2
exit 1
