#!/bin/bash
# iptables-xml input over the corpus: every ruleset converted with the real
# iptables-xml (plain, -c and -v) loads, and `iptsim save -c` of it is
# exactly `iptsim save -c` of the original (counters too; -c keeps only the
# first of folded rules' counters, and no corpus ruleset folds rules whose
# counters differ).  iptables-xml writes chain names as element
# names, so a ruleset with a chain name XML does not allow (shorewall's
# "~log0") gives text that is no XML: those must be refused with the
# not-well-formed error, and python3's XML parser must agree that they are
# not XML.  iptables-xml -c folds a table's first rule into the previous
# table's last one when chain name and conditions agree, writing an <actions>
# without its rule (rs-A.v6): that must be refused, naming -c.  Skips loudly (exit 77) without iptables-xml.
# usage: xml_corpus.sh IPTSIM SOURCE_DIR
set -u
iptsim=$1
src=$2
xml_tool=$(command -v iptables-xml || true)
if [ -z "$xml_tool" ]; then
  echo "SKIP: iptables-xml is not installed (it ships with iptables); nothing checked"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
refused=0
lost=0
well_formed() {  # (without the line "xptables-xml" that -v writes before the XML)
  sed '1{/^xptables-xml$/d}' "$1" |
    python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.stdin)' 2>/dev/null
}
for f in "$src"/corpus/rulesets/*.v4 "$src"/corpus/rulesets/*.v6 "$src"/corpus/reference/rulesets/* \
         "$src"/corpus/iptables-tests/dumps/*; do
  case $f in *.xml) continue ;; esac
  if ! "$iptsim" save -c "$f" >"$tmp/want" 2>"$tmp/err"; then
    continue  # not a ruleset iptsim loads as it is: nothing to compare with
  fi
  for mode in plain -c -v; do
    name="${f#"$src"/} ($mode)"
    flags=()
    [ $mode = plain ] || flags=("$mode")
    "$xml_tool" "${flags[@]}" "$f" >"$tmp/x.xml" || { echo "note: iptables-xml refused $name"; continue; }
    if "$iptsim" save -c "$tmp/x.xml" >"$tmp/got" 2>"$tmp/err"; then
      if cmp -s "$tmp/want" "$tmp/got"; then pass=$((pass + 1)); else
        echo "FAIL $name: saves differently"; diff "$tmp/want" "$tmp/got" | head -10 | sed 's/^/    /'
        fail=$((fail + 1)); fi
    elif ! well_formed "$tmp/x.xml" && grep -q "error: this is not well-formed XML" "$tmp/err"; then
      refused=$((refused + 1))
    elif [ $mode = -c ] && grep -q "error: <actions> without its <rule>: 'iptables-xml -c'" "$tmp/err"; then
      lost=$((lost + 1))
    else
      echo "FAIL $name: does not load"; head -5 "$tmp/err" | sed 's/^/    /'; fail=$((fail + 1))
    fi
  done
done
# The converted file the corpus ships.
if "$iptsim" save "$src/corpus/iptables-tests/dumps/ipt-save-fedora27-iptables.xml" >"$tmp/got" 2>"$tmp/err" &&
   "$iptsim" save "$src/corpus/iptables-tests/dumps/ipt-save-fedora27-iptables" >"$tmp/want" &&
   cmp -s "$tmp/want" "$tmp/got"; then pass=$((pass + 1)); else
  echo "FAIL ipt-save-fedora27-iptables.xml"; head -5 "$tmp/err"; fail=$((fail + 1)); fi
echo "xml_corpus: $pass equal, $refused not XML (refused as such), $lost with a rule iptables-xml -c lost (refused as such), $fail failed"
# Guard against a vacuous pass (an empty corpus, every ruleset skipped).
[ "$pass" -ge 80 ] || { echo "FAIL: only $pass rulesets compared"; exit 1; }
[ "$fail" -eq 0 ]
