#!/bin/bash
# --from-log end to end: for every differential scenario (corpus/scenarios),
# each packet is rebuilt from the FIRST line the kernel printed for it
# (`expected`), and all of them go through one `iptsim trace --from-log ...
# --from-log ... --packet-headers` run; the output must be the kernel's
# `expected` again, byte for byte.  Skipped, with the reason:
#  - scenarios listed in PENDING / KNOWN-DIFFERENCES (the plain differential
#    test already disagrees with the kernel there);
#  - a packet the kernel printed nothing for (no line to rebuild it from);
#  - a forwarded packet (-i and -o in `packets`): its first line was printed
#    before the routing decision (OUT= empty), which without a host model
#    makes it a packet for the local host;
#  - SCTP and DCCP packets: the kernel's dump shows no ports for them;
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
             if ($0 ~ /PROTO=(132|33) /) { print "packet " n ": SCTP/DCCP ports are not in the dump"; exit } }
    / UID=/ && first !~ / UID=/ { print "packet " n ": the first line hides the UID"; exit }
    END { if (n && !first) print "packet " n " printed nothing" }' "$dir/expected")
  [ -n "$why" ] || why=$(awk '/^[ \t]*(#|$)/ { next } { n++ }
    /(^|[ \t])-o / && /(^|[ \t])-i / { print "packet " n " is forwarded"; exit }' "$dir/packets")
  if [ -n "$why" ]; then
    skip=$((skip + 1)); continue
  fi
  args=()
  while IFS= read -r line; do args+=(--from-log "$line"); done < <(
    awk '/^== packet/ { want = 1; next } want { print; want = 0 }' "$dir/expected")
  "$iptsim" trace --packet-headers "${args[@]}" "$dir/rules" >"$tmp/got" 2>"$tmp/err"
  if cmp -s "$tmp/got" "$dir/expected"; then
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
