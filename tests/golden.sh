#!/bin/bash
# Golden tests: iptsim trace reproduces the kernel's TRACE (and LOG) lines
# recorded in corpus/reference/captures, block by block ("== dport N").
# Each case names the ruleset the capture was made with, the packet (with
# DPORT standing for the block's port) and how much of each line the capture
# kept (the reference cut some lines before " SRC=" or after the prefix).
# usage: golden.sh IPTSIM SOURCE_DIR
set -u
iptsim=$1
src=$2
ref=$src/corpus/reference
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# golden NAME RULES CAPTURE CUT PACKET-OPTIONS...
golden() {
  local name=$1 rules=$2 capture=$3 cut=$4
  shift 4
  local ports
  ports=$(sed -n 's/^== dport \([0-9]*\)$/\1/p' "$capture")
  for port in $ports; do
    # The capture's block for this port (a port may repeat: take the first).
    awk -v p="== dport $port" '$0 == p { on = 1; next } /^== / { if (on) exit } on' "$capture" \
      > "$tmp/want"
    local args=()
    for a in "$@"; do args+=("${a//DPORT/$port}"); done
    "$iptsim" trace "$rules" "${args[@]}" > "$tmp/got.full" 2> "$tmp/err"
    case $cut in
      src) sed 's/ SRC=.*//' "$tmp/got.full" > "$tmp/got" ;;
      prefix) sed 's/^\(TRACE: [^ ]* \).*/\1/' "$tmp/got.full" | grep '^TRACE: ' > "$tmp/got" ;;
      *) cp "$tmp/got.full" "$tmp/got" ;;
    esac
    if cmp -s "$tmp/want" "$tmp/got"; then
      pass=$((pass + 1))
    else
      echo "FAIL $name dport $port (< kernel, > iptsim):"
      diff "$tmp/want" "$tmp/got" | head -10 | sed 's/^/    /'
      sed 's/^/    stderr: /' "$tmp/err" | head -3
      fail=$((fail + 1))
    fi
  done
}

# e2-numbering1 was captured in a namespace whose mangle and security tables
# existed (empty): they print policy lines.  Same ruleset plus those tables.
cat "$ref/rulesets/rs-N1.v4" > "$tmp/n1.v4"
printf '*mangle\nCOMMIT\n*security\nCOMMIT\n' >> "$tmp/n1.v4"
golden numbering1 "$tmp/n1.v4" "$ref/captures/e2-numbering1.txt" src \
  -i b0 --mac-src 02:00:00:00:02:fe --mac-dst 02:00:00:00:02:01 \
  -s 10.200.1.1 -d 10.200.2.1 --ttl 63 -p udp --sport 40000 --dport DPORT
golden numbering2 "$ref/rulesets/rs-N2.v4" "$ref/captures/e2-numbering2.txt" prefix \
  -i b0 --mac-src 02:00:00:00:02:fe --mac-dst 02:00:00:00:02:01 \
  -s 10.200.1.1 -d 10.200.2.1 --ttl 63 -p udp --sport 40000 --dport DPORT

# e1-udp-connected-uid: early demux.  Host B (rs-B-rej, with its empty mangle
# and security tables) has a UDP socket of uid 0 on port 6700 connected to
# 10.200.1.1:40000 (modelled by a packet it sent, --connected: no TRACE rule
# in raw OUTPUT, no lines); the datagram to 6700 shows UID/GID from INPUT on,
# the one to the unconnected port 6701 none.
cat "$ref/rulesets/rs-B-rej.v4" > "$tmp/brej.v4"
printf '*mangle\nCOMMIT\n*security\nCOMMIT\n' >> "$tmp/brej.v4"
m=(--mac-dst 02:00:00:00:02:01 --mac-src 02:00:00:00:02:fe)
"$iptsim" trace "$tmp/brej.v4" -o b0 -s 10.200.2.1 -d 10.200.1.1 -p udp --sport 6700 \
  --dport 40000 --uid 0 --connected \
  -- -i b0 "${m[@]}" -s 10.200.1.1 -d 10.200.2.1 -p udp --sport 40000 --dport 6700 --ttl 63 \
  --id 59121 --df --payload 123456789 \
  -- -i b0 "${m[@]}" -s 10.200.1.1 -d 10.200.2.1 -p udp --sport 40000 --dport 6701 --ttl 63 \
  --id 59254 --df --payload 12345678901 >"$tmp/got" 2>"$tmp/err"
if cmp -s "$tmp/got" "$ref/captures/e1-udp-connected-uid.txt"; then
  pass=$((pass + 1))
else
  echo "FAIL e1-udp-connected-uid (< kernel, > iptsim):"
  diff "$ref/captures/e1-udp-connected-uid.txt" "$tmp/got" | head -10
  fail=$((fail + 1))
fi

echo "golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
