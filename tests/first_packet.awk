# For tests/from_log_nft_roundtrip.sh: from `iptsim trace --format nft
# --packet-headers` output, each packet's own lines, NUL-terminated: the
# lines of the first trace id of its block, until its events go back to an
# earlier hook or table (a packet it made, which has the same id).
function position(where,   t, c, hook, prio) {
  split(where, t, ":")
  c = t[2]
  if (c == "PREROUTING" || c == "OUTPUT") hook = 0
  else if (c == "INPUT" || c == "FORWARD") hook = 1
  else if (c == "POSTROUTING") hook = 2
  else return -1
  prio = t[1] == "raw" ? -300 : t[1] == "mangle" ? -150 : t[1] == "nat" ? (hook == 0 ? -100 : 100) : t[1] == "security" ? 50 : 0
  return hook * 1000 + prio + 500
}
function flush() { if (b != "") printf "%s%c", b, 0; b = ""; id = ""; held = ""; last = -1; done = 0 }
/^== packet/ { flush(); next }
done { next }
{
  for (i = 1; i < NF; i++) if ($i == "PACKET:" || $i == "TRACE:") break
  if (i >= NF) next
  if (id == "") id = $(i + 2)
  if ($(i + 2) != id) next
  if ($i == "PACKET:") { held = held $0 "\n"; next }
  p = position($(i + 3))
  if (p >= 0 && p < last) { done = 1; next }
  if (p > last) last = p
  b = b held $0 "\n"; held = ""
}
END { flush() }
