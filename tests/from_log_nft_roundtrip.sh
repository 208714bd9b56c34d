#!/bin/bash
# --from-log with xtables-monitor lines, end to end: for every differential
# scenario (corpus/scenarios), `iptsim trace --format nft` prints what
# `xtables-monitor --trace` would show; each packet is rebuilt from the lines
# of the first trace id of its block (its own PACKET and TRACE lines, not
# those of the packets it made the kernel send), all of them go through one
# `--from-log TEXT ... --format nft` run, and the output must be the first
# run's again (trace ids renamed in order of appearance: iptsim derives them
# from the packet's number, and a packet that printed nothing is not
# rebuilt).  Skipped, with the reason (what a PACKET line does not carry;
# docs/packet-options.md lists the defaults):
#  - scenarios listed in PENDING / KNOWN-DIFFERENCES;
#  - a ruleset with a payload match (string, u32, bpf): no payload in the line;
#  - a ruleset that matches what the line does not show: TCP options, ECE /
#    CWR flags, IP options and IPv6 extension headers (tcpmss, tcpoption,
#    ecn, hbh, dst, rt, frag, ah, esp, ipv6header, mh), or sequence numbers
#    (conntrack's TCP window checks: a conntrack scenario with more than
#    one TCP packet);
#  - packets of protocols the line cannot tell apart (DCCP, SCTP, UDP-Lite
#    show ports as UDP does; GRE, ESP, AH, IGMP and numbers show nothing),
#    ICMP types other than echo, IPv6 extension headers, IP and TCP options;
#  - -m owner (no UID in the line), HMARK (hashes what the line lacks), TEE;
#  - a local IPv6 packet routed over lo (OUT=lo would bind it to lo);
#  - a scenario whose first run printed no nft line at all.
# usage: from_log_nft_roundtrip.sh IPTSIM SOURCE_DIR
set -u
iptsim=$1
src=$2
corpus=$src/corpus/scenarios
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/scenario_lib.sh"
pass=0 fail=0 skip=0
# Trace ids renamed in order of appearance; "== packet" headers dropped.
rename_ids() {
  awk '/^== packet/ { next }
       { for (i = 1; i < NF; i++) if ($i == "PACKET:" || $i == "TRACE:") { id = $(i + 2)
           if (!(id in m)) m[id] = sprintf("ID%d", ++n); sub(id, m[id]); break }
         print }' "$1"
}
for dir in "$corpus"/*/; do
  name=$(basename "$dir")
  [ -f "$dir/expected" ] || continue
  if listed "$corpus/PENDING" "$name" >/dev/null || listed "$corpus/KNOWN-DIFFERENCES" "$name" >/dev/null; then
    skip=$((skip + 1)); continue
  fi
  # What the PACKET line does not carry, in the packets or the rules.
  if grep -qE -- '-p (dccp|sctp|udplite|gre|esp|ah|igmp|[0-9]+)( |$)|--icmp(v6)?-type ([^e0-9]|[1-79]|1[0-9]|2[0-9]|1[013-9][0-9]|12[0-7])|--icmp(v6)?-type echo-reply|-o lo|--ext-hdr|--ip-option|--tcp-option' "$dir/packets" ||
     grep -qE -- '-m owner|-j (HMARK|TEE)' "$dir/rules"; then
    skip=$((skip + 1)); continue
  fi
  if grep -qE -- '-m (string|u32|bpf|tcpmss|tcpoption|ecn|hbh|dst|rt|frag|ah|esp|ipv6header|mh) |--tcp-flags [^ ]*(ECE|CWR)|--tcp-option' "$dir/rules"; then
    skip=$((skip + 1)); continue
  fi
  "$(dirname "$0")/scenario_host.sh" "$dir" >"$tmp/host"
  scenario_args "$dir"
  "$iptsim" trace --format nft --host "$tmp/host" --packet-headers "${scenario_extra[@]}" \
    --packets "$dir/packets" "$dir/rules" >"$tmp/first" 2>/dev/null
  # Each packet's block: the lines of its first trace id, up to the packets
# it made (iptsim's nft format gives a REJECT reply the packet's id).
  args=()
  while IFS= read -r -d '' block; do args+=(--from-log "$block"); done < <(
    awk -f "$(dirname "$0")/first_packet.awk" "$tmp/first")
  if [ ${#args[@]} -eq 0 ]; then skip=$((skip + 1)); continue; fi
  # A local IPv6 packet routed over lo: OUT=lo would bind it to lo.
  if grep -qE '^PACKET: 10 [0-9a-f]{8} OUT=lo ' "$tmp/first"; then skip=$((skip + 1)); continue; fi
  if grep -q ' -m conntrack \| -m state \|-j [SD]NAT\|-j MASQUERADE\|-j REDIRECT' "$dir/rules" &&
     [ "$(grep -c -- '-p tcp' "$dir/packets")" -gt 1 ]; then
    skip=$((skip + 1)); continue
  fi
  "$iptsim" trace --format nft --host "$tmp/host" --packet-headers "${scenario_extra[@]}" \
    "${args[@]}" "$dir/rules" >"$tmp/second" 2>"$tmp/err"
  if cmp -s <(rename_ids "$tmp/first" | grep -v '^$') <(rename_ids "$tmp/second"); then
    pass=$((pass + 1))
  else
    echo "FAIL     $name (< --format nft, > the same packets rebuilt from it):"
    diff <(rename_ids "$tmp/first") <(rename_ids "$tmp/second") | head -8 | sed 's/^/    /'
    grep -v 'note: ' "$tmp/err" | head -3 | sed 's/^/    stderr: /'
    fail=$((fail + 1))
  fi
done
echo "from-log nft round trip: $pass scenarios reproduced, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
