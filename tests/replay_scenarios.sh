#!/bin/bash
# `iptsim replay` end to end over the differential scenarios
# (corpus/scenarios): each scenario's kernel lines (`expected`, without its
# "== packet" headers) become one log whose lines carry, in turn, the
# prefixes of dmesg, dmesg -T, journalctl -k (short, short-iso,
# short-precise), a syslog file (with the kernel's own timestamp) and
# /dev/kmsg, with unrelated lines between them; `iptsim replay` must find
# every packet equal (exit 0, "0 different").  Then pairs of scenarios that
# share a ruleset and lab have their logs interleaved line by line: both
# must still come out equal.  Skipped as in tests/from_log_replay.sh (the
# first line of a packet must carry all of it), with the reason.
# usage: replay_scenarios.sh IPTSIM SOURCE_DIR
set -u
iptsim=$1
src=$2
corpus=$src/corpus/scenarios
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# listed, scenario_args.
. "$(dirname "$0")/scenario_lib.sh"

# skip_reason DIR: why the scenario's packets cannot be rebuilt from their
# first lines ("" when they can).
skip_reason() {
  local why
  why=$(awk '
    /^== packet/ { if (n && !first) { print "packet " n " printed nothing"; exit }
                   n++; first = ""; next }
    !first { first = $0
             if ($0 ~ /PROTO=(132|33) /) { print "packet " n ": SCTP/DCCP ports are not in the dump"; exit }
             if ($0 ~ /INCOMPLETE|PROTO=135 /) { print "packet " n ": the dump does not carry the whole header"; exit }
             if ($0 ~ /IN= OUT=lo SRC=[0-9a-f]*:/) { print "packet " n ": OUT=lo of a local IPv6 packet would bind it to lo"; exit } }
    / UID=/ && first !~ / UID=/ { print "packet " n ": the first line hides the UID"; exit }
    END { if (n && !first) print "packet " n " printed nothing" }' "$1/expected")
  if [ -z "$why" ] && grep -qE -- '-m (string|u32|bpf) ' "$1/rules"; then
    why="a payload match: the dump does not carry the payload"
  fi
  echo "$why"
}

# make_log EXPECTED: the kernel lines with rotating prefixes and noise.
make_log() {
  awk '
    /^== packet/ { next }
    { i++
      if (i % 3 == 0) print "Dec  7 20:29:" sprintf("%02d", i % 60) " fw sshd[812]: Accepted publickey for root"
      m = i % 7
      if (m == 0) print "[ " sprintf("%5d", i) ".123456] " $0
      else if (m == 1) print "[Mon Dec  7 20:29:25 2026] " $0
      else if (m == 2) print "Dec 07 20:29:25 fw kernel: " $0
      else if (m == 3) print "2026-12-07T20:29:25+0000 fw kernel: " $0
      else if (m == 4) print "Dec 07 20:29:25.123456 fw kernel: " $0
      else if (m == 5) print "Dec  7 20:29:25 fw kernel: [" sprintf("%6d", i) ".000001] " $0
      else print "6," i ",123456,-;" $0 }' "$1"
}

# replay_ok NAME DIR LOG: runs replay; status 0 when every packet is equal.
replay_ok() {
  "$(dirname "$0")/scenario_host.sh" "$2" >"$tmp/host"
  scenario_args "$2"
  "$iptsim" replay --host "$tmp/host" "${scenario_extra[@]}" "$2/rules" "$3" >"$tmp/out" 2>&1
  local rc=$?
  if [ $rc -eq 0 ] && grep -q ', 0 different;' "$tmp/out"; then
    return 0
  fi
  echo "FAIL     $1 (exit $rc):"
  grep -v ': equal (' "$tmp/out" | head -12 | sed 's/^/    /'
  return 1
}

pass=0 fail=0 skip=0
declare -A usable
for dir in "$corpus"/*/; do
  name=$(basename "$dir")
  [ -f "$dir/expected" ] || continue
  if listed "$corpus/PENDING" "$name" >/dev/null || listed "$corpus/KNOWN-DIFFERENCES" "$name" >/dev/null; then
    skip=$((skip + 1)); continue
  fi
  if [ -n "$(skip_reason "$dir")" ]; then
    skip=$((skip + 1)); continue
  fi
  make_log "$dir/expected" >"$tmp/$name.log"
  if replay_ok "$name" "$dir" "$tmp/$name.log"; then
    pass=$((pass + 1))
    usable[$name]=1
  else
    fail=$((fail + 1))
  fi
done

# Pairs with the same ruleset, lab and args: interleaved line by line.
pairs=0
for pair in flow-dnat-forward-tcp:flow-dnat-forward-udp flow-masq-tcp:flow-masq-udp \
            flow-fwd-tcp:flow-fwd-udp flow-udp-local:flow-icmp-echo-local \
            flow-ct-off-tcp:flow-ct-off-udp; do
  a=${pair%%:*} b=${pair#*:}
  [ -n "${usable[$a]:-}" ] && [ -n "${usable[$b]:-}" ] || continue
  cmp -s "$corpus/$a/rules" "$corpus/$b/rules" || { echo "FAIL     $pair: not the same ruleset"; fail=$((fail + 1)); continue; }
  paste -d '\n' "$tmp/$a.log" "$tmp/$b.log" | sed '/^$/d' >"$tmp/pair.log"
  if replay_ok "$a + $b interleaved" "$corpus/$a" "$tmp/pair.log"; then
    want=$(($(grep -c '^== packet' "$corpus/$a/expected") + $(grep -c '^== packet' "$corpus/$b/expected")))
    if grep -q "^iptsim replay: $want packets: $want equal" "$tmp/out"; then
      pairs=$((pairs + 1))
    else
      echo "FAIL     $a + $b interleaved: not $want packets:"; tail -1 "$tmp/out" | sed 's/^/    /'
      fail=$((fail + 1))
    fi
  else
    fail=$((fail + 1))
  fi
done
echo "replay: $pass scenarios reproduced, $pairs interleaved pairs, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ] && [ "$pairs" -gt 0 ]
