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
# normalise, listed, scenario_args.
. "$(dirname "$0")/scenario_lib.sh"
pass=0 fail=0 skip=0
for dir in "$corpus"/*/; do
  name=$(basename "$dir")
  [ -f "$dir/expected" ] || continue
  if listed "$corpus/PENDING" "$name" >/dev/null || listed "$corpus/KNOWN-DIFFERENCES" "$name" >/dev/null; then
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
  scenario_args "$dir"
  "$iptsim" trace --host "$tmp/host" --packet-headers "${scenario_extra[@]}" "${args[@]}" "$dir/rules" \
    >"$tmp/got" 2>"$tmp/err"
  # Normalised as in tests/differential.sh.
  if cmp -s <(normalise "$tmp/got") <(normalise "$dir/expected"); then
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
