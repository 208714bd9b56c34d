#!/bin/bash
# The ruleset pairs of corpus/diff-pairs/ (the test data of `iptsim diff`,
# corpus/diff-pairs/README.md) stay what they claim to be:
#  - they are current: scripts/diff_pairs.py regenerates them from the corpus
#    byte for byte (into a copy), and fails loudly on an edit that no longer
#    matches exactly one line;
#  - every pair has its files, there are at least 32 edited pairs, IPv4 and
#    IPv6, ipset pairs and no-op (`unchanged`) pairs;
#  - every expect.txt line's verdicts are what `iptsim trace` gives on each
#    side (scripts/make-diff-pairs.sh --expect), and a wrong line is reported
#    as such (the check can fail).
# With --kernel (root; otherwise exit 77, skipped): every old.* and new.*
# loads in the kernel and saves back the same, and every expect.txt packet
# the kernel lab can send agrees with `iptsim verify`.
# usage: diff_pairs.sh [--kernel] IPTSIM SOURCE_DIR
set -u
kernel=0
[ "${1:-}" = --kernel ] && { kernel=1; shift; }
iptsim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$2
pairs=$src/corpus/diff-pairs
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

if [ $kernel = 1 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "SKIP diff-pairs kernel checks: not root"
    exit 77
  fi
  if "$src/scripts/make-diff-pairs.sh" --no-generate --check --expect "$iptsim" --verify \
      > "$tmp/out" 2>&1; then ok; else
    bad "make-diff-pairs.sh --check --expect --verify:"; grep -v '^ok\|^skip' "$tmp/out" | head -40; fi
  echo "diff-pairs (kernel): $(grep -c '^ok' "$tmp/out") checks ok," \
       "$(grep -c '^skip' "$tmp/out") skipped (listed by the script)"
  [ $fail = 0 ] && exit 0 || exit 1
fi

# 1. current: regenerate into a copy, compare
cp -r "$pairs" "$tmp/regen"
if python3 "$src/scripts/diff_pairs.py" --out "$tmp/regen" "$src" > "$tmp/gen.out" 2>&1; then
  if diff -r "$pairs" "$tmp/regen" > "$tmp/regen.diff"; then ok; else
    bad "corpus/diff-pairs is not what scripts/make-diff-pairs.sh makes (run it):"
    head -20 "$tmp/regen.diff"; fi
else
  bad "scripts/diff_pairs.py failed:"; cat "$tmp/gen.out"
fi

# ... and an edit that matches no line stops it, naming the pair and the line
if (cd "$src/scripts" && python3 -B -c '
import diff_pairs
diff_pairs.apply_edits(["-A INPUT -j ACCEPT"], [("delete", "-A INPUT -j DROP")], "some-pair")
') > "$tmp/out" 2>&1; then bad "an edit matching no line was accepted"; else
  if [ "$(cat "$tmp/out")" = "diff_pairs.py: some-pair: 0 lines are '-A INPUT -j DROP' (need exactly 1)" ]
  then ok; else bad "unmatched edit message: $(cat "$tmp/out")"; fi
fi

# 2. the files of each pair, and what the set covers
edited=0 v4=0 v6=0 ipsets=0 noops=0
for d in "$pairs"/*/; do
  name=$(basename "$d")
  [ -s "$d/expect.txt" ] || bad "$name: no expect.txt"
  for fam in v4 v6; do
    if [ -e "$d/old.$fam" ] || [ -e "$d/new.$fam" ]; then
      if [ -s "$d/old.$fam" ] && [ -s "$d/new.$fam" ]; then ok; else bad "$name: old.$fam or new.$fam missing"; fi
      [ $fam = v4 ] && v4=$((v4 + 1)) || v6=$((v6 + 1))
    fi
  done
  [ "$name" = ufw-allow-8080 ] || edited=$((edited + 1))
  [ -e "$d/old.ipset" ] && ipsets=$((ipsets + 1))
  [ "$(cat "$d/expect.txt")" = unchanged ] && noops=$((noops + 1))
done
[ $edited -ge 32 ] && ok || bad "only $edited edited pairs (want 32 or more)"
[ $v4 -gt 0 ] && [ $v6 -gt 0 ] && [ $ipsets -gt 0 ] && [ $noops -gt 0 ] && ok ||
  bad "coverage: $v4 IPv4, $v6 IPv6, $ipsets ipset, $noops unchanged pairs"
[ -s "$pairs/ufw-allow-8080/old.v4" ] && [ -s "$pairs/ufw-allow-8080/new.v6" ] && ok ||
  bad "the ufw pair is missing"

# 3. every expectation holds in the simulation
if DIFF_PAIRS_DIR=$pairs "$src/scripts/make-diff-pairs.sh" --no-generate --expect "$iptsim" \
    > "$tmp/out" 2>&1; then ok; else
  bad "expect.txt lines that iptsim does not confirm:"; grep -v '^ok' "$tmp/out" | head -20; fi
lines=$(grep -c '^ok' "$tmp/out")

# ... and a wrong one is reported, with the verdicts iptsim gives
mkdir -p "$tmp/wrong"
cp -r "$pairs/ferm-router-jump-target" "$tmp/wrong/"
echo '-i eth0 -s 192.0.2.50 -d 203.0.113.2 -p tcp --dport 113 => REJECT -> REJECT' \
  > "$tmp/wrong/ferm-router-jump-target/expect.txt"
(cd "$src" && DIFF_PAIRS_DIR=$tmp/wrong scripts/make-diff-pairs.sh --no-generate --expect "$iptsim") \
  > "$tmp/out" 2>&1
rc=$?
want='DIFF ferm-router-jump-target: -i eth0 -s 192.0.2.50 -d 203.0.113.2 -p tcp --dport 113 => expected REJECT -> REJECT, iptsim says REJECT -> DROP'
if [ $rc = 1 ] && [ "$(cat "$tmp/out")" = "$want" ]; then ok; else
  bad "a wrong expectation (exit $rc, want 1):"; sed 's/^/    /' "$tmp/out"; fi

echo "diff-pairs: $edited edited pairs + ufw-allow-8080, $lines expect lines confirmed;" \
     "$pass checks passed, $fail failed"
[ $fail = 0 ]
