#!/bin/bash
# --from-log end to end: for every differential scenario (corpus/scenarios),
# each packet is rebuilt from the FIRST line the kernel printed for it
# (`expected`), and all of them go through one `iptsim trace --from-log ...
# --from-log ... --packet-headers` run; the output must be the kernel's
# `expected` again, byte for byte.  Skipped, with the reason:
#  - scenarios listed in PENDING / KNOWN-DIFFERENCES (the plain differential
#    test already disagrees with the kernel there);
#  - a packet the kernel printed nothing for (no line to rebuild it from);
#  - SCTP and DCCP packets: the kernel's dump shows no ports for them;
#  - a ruleset with a payload match (string, u32, bpf): the dump has no payload;
#  - a header the dump does not show whole (INCOMPLETE, mobility header);
#  - a local IPv6 packet routed over lo: OUT=lo as -o would bind it to lo;
#  - a first line without the UID= that later lines show (a LOG rule without
#    --log-uid printed it).
# usage: from_log_replay.sh IPTSIM SOURCE_DIR
set -u
iptsim=$1
src=$2
corpus=$src/corpus/scenarios
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
listed() { [ -f "$1" ] && awk -v n="$2" '!/^[ \t]*#/ && $1 == n { f = 1 } END { exit !f }' "$1"; }
pass=0 fail=0 skip=0
for dir in "$corpus"/*/; do
  name=$(basename "$dir")
  [ -f "$dir/expected" ] || continue
  if listed "$corpus/PENDING" "$name" || listed "$corpus/KNOWN-DIFFERENCES" "$name"; then
    skip=$((skip + 1)); continue
  fi
  why=$(awk '
    /^== packet/ { if (n && !first) { print "packet " n " printed nothing"; exit }
                   n++; first = ""; next }
    !first { first = $0
             if ($0 ~ /PROTO=(132|33) /) { print "packet " n ": SCTP/DCCP ports are not in the dump"; exit }
             if ($0 ~ /INCOMPLETE|PROTO=135 /) { print "packet " n ": the dump does not carry the whole header"; exit }
             if ($0 ~ /IN= OUT=lo SRC=[0-9a-f]*:/) { print "packet " n ": OUT=lo of a local IPv6 packet would bind it to lo"; exit } }
    / UID=/ && first !~ / UID=/ { print "packet " n ": the first line hides the UID"; exit }
    END { if (n && !first) print "packet " n " printed nothing" }' "$dir/expected")
  if [ -z "$why" ] && grep -qE -- '-m (string|u32|bpf) ' "$dir/rules"; then
    why="a payload match: the dump does not carry the payload"
  fi
  if [ -n "$why" ]; then
    skip=$((skip + 1)); continue
  fi
  args=()
  while IFS= read -r line; do args+=(--from-log "$line"); done < <(
    awk '/^== packet/ { want = 1; next } want { print; want = 0 }' "$dir/expected")
  # The scenario's host (its lab) and extra options, as tests/differential.sh
  # gives them.
  "$(dirname "$0")/scenario_host.sh" "$dir" >"$tmp/host"
  extra=()
  if [ -f "$dir/args" ]; then
    while IFS= read -r aline || [ -n "$aline" ]; do
      aline=${aline%%#*}
      eval "awords=($aline)"
      extra+=("${awords[@]}")
    done <"$dir/args"
  fi
  "$iptsim" trace --host "$tmp/host" --packet-headers "${extra[@]}" "${args[@]}" "$dir/rules" \
    >"$tmp/got" 2>"$tmp/err"
  # Normalised as in tests/differential.sh: the random ID / flow label of the
  # kernel's own ICMP errors.
  norm() {
    sed -E -e '/ IN= [^[]*PREC=0xC0 TTL=[0-9]+ ID=[0-9]+ (DF )?PROTO=ICMP TYPE=(3|4|5|11|12) /s/ ID=[0-9]+ / ID=* /' \
           -e '/ IN= [^[]*PROTO=ICMPv6 TYPE=[1-4] /s/ FLOWLBL=[0-9]+ / FLOWLBL=* /' "$1"
  }
  if cmp -s <(norm "$tmp/got") <(norm "$dir/expected"); then
    pass=$((pass + 1))
  else
    echo "FAIL     $name (< kernel, > iptsim from the kernel's own lines):"
    diff "$dir/expected" "$tmp/got" | head -8 | sed 's/^/    /'
    grep -v 'note: no TRACE rule' "$tmp/err" | head -3 | sed 's/^/    stderr: /'
    fail=$((fail + 1))
  fi
done
echo "from-log replay: $pass scenarios reproduced, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
