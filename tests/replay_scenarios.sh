#!/bin/bash
# `iptsim replay` end to end over the differential scenarios
# (corpus/scenarios): each scenario's kernel lines (`expected`, without its
# "== packet" headers) become one log whose lines carry, in turn, the
# prefixes of dmesg, dmesg -T, journalctl -k (short, short-iso,
# short-precise), a syslog file (with the kernel's own timestamp) and
# /dev/kmsg, with unrelated lines between them.  Every scenario is
# replayed: `iptsim replay` must find as many packets as the scenario's
# kernel logged (a packet that met no TRACE rule logs nothing and is not in
# the log) and every one equal (exit 0), except in the scenarios of
# `not_in_log` below, whose logs do not carry what decides some packets:
# there exactly the listed number of packets differ, each with a "not in
# the log:" reason naming what the log does not show.  Then pairs of
# scenarios that share a ruleset and lab have their logs interleaved line
# by line: both must still come out equal.
# usage: replay_scenarios.sh IPTSIM SOURCE_DIR
set -u
iptsim=$1
src=$2
corpus=$src/corpus/scenarios
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# listed, scenario_args.
. "$(dirname "$0")/scenario_lib.sh"

# NAME DIFFERENT WORDS: the scenarios whose kernel logs do not show what
# decides DIFFERENT of their packets; each WORD (comma-separated) must be
# in one of the report's "not in the log:" lines.
not_in_log="
ext-header-matches 3 -m ecn --ecn-ip-ect,-m string,-m u32
ext-v6-headers 2 -m rt,-m mh
flow-ct-malformed 1 INVALID
flow-ct-sctp 4 INVALID,ESTABLISHED
match-string-bm 7 -m string
proto-sctp 2 -m sctp
"
# Why, kernel facts (net/netfilter/nf_log_syslog.c): the IPv4 TOS= field is
# tos & 0x1E (the ECN bits are not printed); no payload is printed; SCTP
# and DCCP print PROTO=N only (no ports, chunks or type); routing and
# mobility headers print no contents; checksums are never printed (an ICMP
# with a cut payload is INVALID in conntrack, flow-ct-malformed); SCTP's
# conntrack states follow its chunks (flow-ct-sctp).

# packets_logged EXPECTED: the packets that logged at least one line.
packets_logged() {
  awk '/^== packet/ { if (n) c++; n = 0; next } { n++ } END { if (n) c++; print c + 0 }' "$1"
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

# run_replay DIR LOG: the report in $tmp/out, the exit status in $rc.
run_replay() {
  "$(dirname "$0")/scenario_host.sh" "$1" >"$tmp/host"
  scenario_args "$1"
  "$iptsim" replay --host "$tmp/host" "${scenario_extra[@]}" "$1/rules" "$2" >"$tmp/out" 2>&1
  rc=$?
}

# replay_ok NAME DIR LOG WANT: every packet equal, WANT of them.
replay_ok() {
  run_replay "$2" "$3"
  if [ $rc -eq 0 ] && grep -q "^iptsim replay: $4 packets\?: $4 equal, 0 different;" "$tmp/out"; then
    return 0
  fi
  echo "FAIL     $1 (exit $rc, want $4 packets, all equal):"
  grep -v ': equal (' "$tmp/out" | head -12 | sed 's/^/    /'
  return 1
}

# replay_not_in_log NAME DIR LOG WANT DIFFERENT WORDS: WANT packets, exactly
# DIFFERENT differing, each with a "not in the log:" line, which name WORDS.
replay_not_in_log() {
  run_replay "$2" "$3"
  local problem= equal=$(($4 - $5)) word
  grep -q "^iptsim replay: $4 packets\?: $equal equal, $5 different;" "$tmp/out" ||
    problem="not $4 packets with $5 different"
  [ "$(grep -c '^  reason: ' "$tmp/out")" -eq "$5" ] &&
    [ "$(grep -c '^    not in the log: ' "$tmp/out")" -eq "$5" ] ||
    problem="${problem:+$problem; }not every difference has a 'not in the log' reason"
  IFS=, read -ra words <<<"$6"
  for word in "${words[@]}"; do
    grep '^    not in the log: ' "$tmp/out" | grep -qF -- "$word" ||
      problem="${problem:+$problem; }no 'not in the log' reason names '$word'"
  done
  [ $rc -eq 1 ] || problem="${problem:+$problem; }exit $rc, want 1"
  [ -z "$problem" ] && return 0
  echo "FAIL     $1: $problem:"
  grep -v ': equal (' "$tmp/out" | cut -c1-200 | head -16 | sed 's/^/    /'
  return 1
}

pass=0 fail=0 skip=0 limited=0
declare -A usable
for dir in "$corpus"/*/; do
  name=$(basename "$dir")
  [ -f "$dir/expected" ] || continue
  for list in PENDING KNOWN-DIFFERENCES; do
    if why=$(listed "$corpus/$list" "$name"); then
      echo "SKIP     $name ($list: $why)"; skip=$((skip + 1)); continue 2
    fi
  done
  make_log "$dir/expected" >"$tmp/$name.log"
  want=$(packets_logged "$dir/expected")
  limit=$(awk -v n="$name" '$1 == n { d = $2; $1 = $2 = ""; sub(/^ +/, ""); print d "|" $0 }' <<<"$not_in_log")
  if [ -n "$limit" ]; then
    if replay_not_in_log "$name" "$dir" "$tmp/$name.log" "$want" "${limit%%|*}" "${limit#*|}"; then
      limited=$((limited + 1))
    else
      fail=$((fail + 1))
    fi
  elif replay_ok "$name" "$dir" "$tmp/$name.log" "$want"; then
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
  want=$(($(packets_logged "$corpus/$a/expected") + $(packets_logged "$corpus/$b/expected")))
  if replay_ok "$a + $b interleaved" "$corpus/$a" "$tmp/pair.log" "$want"; then
    pairs=$((pairs + 1))
  else
    fail=$((fail + 1))
  fi
done
for name in $(awk 'NF { print $1 }' <<<"$not_in_log"); do
  [ -d "$corpus/$name" ] || { echo "FAIL     $name: listed in not_in_log, not a scenario"; fail=$((fail + 1)); }
done
echo "replay: $pass scenarios reproduced, $limited reported with what their logs do not show, $pairs interleaved pairs, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ] && [ "$pairs" -gt 0 ]
