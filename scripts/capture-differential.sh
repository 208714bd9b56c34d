#!/bin/bash
# Captures the real kernel's lines for the kernel differential scenarios
# (corpus/scenarios/NAME/: rules, packets, optional lab; README.md there) and
# writes each scenario's `expected`.  The packets are built by iptsim's own
# packet builder (iptsim_capture --packets) and sent through the kernel in
# throw-away network namespaces; the expectation is what the kernel printed,
# never what iptsim says.  Root only.
#
# usage: scripts/capture-differential.sh [--capture BIN] [--check] [NAME...]
#   NAME       scenario directories under corpus/scenarios (default: all)
#   --check    capture again and compare with `expected` instead of writing it
#              (exit 1 if any differs)
#   --capture  the iptsim_capture binary (default: build/tests/kernel/iptsim_capture,
#              built with ninja if missing)
#   --tries N  for scenarios with a `capture-until` file: give up after N captures
#              (default 60)
#
# A scenario whose kernel run is a random choice (statistic --mode random) has
# a file `capture-until` holding an extended regular expression (first line
# that is not a '#' comment): the scenario is captured again and again until
# the kernel's output matches it, e.g. until the DNAT went to endpoint 2.
# --check does the same and then compares.
#
# The lab: every scenario gets the default interfaces
#   d0  10.200.3.2/24  fd00:200:3::2/64   (packets arrive here: -i d0)
#   e0  10.200.4.2/24  fd00:200:4::2/64   (forwarded / local packets leave here: -o e0)
# and the directives of its `lab` file, one per line ('#' comments):
#   forward | route ARGS... | iface SPEC | sysctl K=V | settle MS | family 4|6
# (the meanings of scripts/capture-scenario.sh; `nodefault` drops d0/e0).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
corpus=$top/corpus/scenarios
capture=""
check=0
tries=60
while [ $# -gt 0 ]; do
  case "$1" in
    --capture) capture=$2; shift 2 ;;
    --check) check=1; shift ;;
    --tries) tries=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    --) shift; break ;;
    -*) echo "capture-differential: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "capture-differential: needs root (network namespaces, /dev/kmsg)" >&2; exit 2; }
if [ -z "$capture" ]; then
  capture=$top/build/tests/kernel/iptsim_capture
  if [ ! -x "$capture" ]; then
    [ -f "$top/build/build.ninja" ] || cmake -S "$top" -B "$top/build" -G Ninja >/dev/null
    ninja -C "$top/build" iptsim_capture >/dev/null || exit 2
  fi
fi

if [ $# -eq 0 ]; then
  set -- $(cd "$corpus" && for d in */; do [ -f "$d/rules" ] && echo "${d%/}"; done)
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
done_n=0
for name in "$@"; do
  name=${name%/}
  name=${name##*/}
  dir=$corpus/$name
  if [ ! -f "$dir/rules" ] || [ ! -f "$dir/packets" ]; then
    echo "capture-differential: $name: no rules or packets in $dir" >&2
    status=2
    continue
  fi
  default=1
  args=()
  if [ -f "$dir/lab" ]; then
    lineno=0
    while IFS= read -r line || [ -n "$line" ]; do
      lineno=$((lineno + 1))
      line=${line%%#*}
      read -r -a w <<<"$line"
      [ ${#w[@]} -eq 0 ] && continue
      case "${w[0]}" in
        nodefault) default=0 ;;
        forward) args+=(--forward) ;;
        route) args+=(--route "${w[*]:1}") ;;
        iface|sysctl|settle) args+=(--"${w[0]}" "${w[1]}") ;;
        family) args+=(-"${w[1]}") ;;
        *) echo "capture-differential: $dir/lab:$lineno: unknown directive '${w[0]}'" >&2; exit 2 ;;
      esac
    done <"$dir/lab"
  fi
  if [ $default -eq 1 ]; then
    args=(--iface d0,addr=10.200.3.2/24,addr=fd00:200:3::2/64
          --iface e0,addr=10.200.4.2/24,addr=fd00:200:4::2/64 "${args[@]}")
  fi
  until_re=""
  if [ -f "$dir/capture-until" ]; then
    until_re=$(grep -v '^[[:space:]]*#' "$dir/capture-until" | grep -m1 .)
  fi
  attempt=0
  while :; do
    attempt=$((attempt + 1))
    "$capture" "${args[@]}" "$dir/rules" --packets "$dir/packets" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ $rc -eq 0 ] && [ -n "$until_re" ] || break
    if grep -Eq -- "$until_re" "$tmp/out"; then
      echo "         $name: capture-until matched at capture $attempt"
      break
    fi
    if [ $attempt -ge "$tries" ]; then
      echo "FAILED $name: capture-until '$until_re' not matched in $tries captures" >&2
      rc=3
      break
    fi
  done
  if [ $rc -ne 0 ]; then
    echo "FAILED $name: iptsim_capture exit $rc" >&2
    sed 's/^/    /' "$tmp/err" >&2
    status=2
    continue
  fi
  # Notes (what the kernel changes in a packet, send errors) are shown: a
  # scenario should not need any.
  if [ -s "$tmp/err" ]; then sed "s/^/    $name: /" "$tmp/err" >&2; fi
  npk=$(grep -c '^== packet ' "$tmp/out")
  nl=$(grep -vc '^== packet ' "$tmp/out")
  if [ $check -eq 1 ]; then
    if cmp -s "$tmp/out" "$dir/expected"; then
      echo "same     $name"
    else
      echo "DIFFERS  $name"
      diff "$dir/expected" "$tmp/out" | head -20 | sed 's/^/    /'
      status=1
    fi
  else
    cp "$tmp/out" "$dir/expected"
    echo "captured $name: $npk packets, $nl lines"
  fi
  done_n=$((done_n + 1))
done
echo "capture-differential: $done_n scenarios"
exit $status
