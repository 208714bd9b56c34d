#!/bin/bash
# Quick start: set up, build, and run iptsim on an example ruleset.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
rules=corpus/reference/captures/e7-iptables-save.txt
echo
echo "\$ build/iptsim check $rules"
build/iptsim check "$rules"
echo
echo "\$ build/iptsim save $rules | head -20"
build/iptsim save "$rules" | head -20 || true
echo
echo "\$ build/iptsim check corpus/examples/broken.v4   # a ruleset with mistakes"
build/iptsim check corpus/examples/broken.v4 || echo "(exit status $?)"
echo
rules=corpus/reference/rulesets/rs-N1.v4
echo "\$ build/iptsim trace $rules -i b0 -s 10.200.1.1 -d 10.200.2.1 -p udp --dport 6006"
build/iptsim trace "$rules" -i b0 -s 10.200.1.1 -d 10.200.2.1 -p udp --dport 6006
echo
echo "\$ build/iptsim trace --format explain $rules -i b0 -s 10.200.1.1 -d 10.200.2.1 -p udp --dport 6006"
build/iptsim trace --format explain "$rules" -i b0 -s 10.200.1.1 -d 10.200.2.1 -p udp --dport 6006
echo
rules=corpus/rulesets/firewalld-default.v4
echo "\$ build/iptsim trace $rules -i eth0 -s 198.51.100.7 -p tcp --dport 22   # no TRACE rule: the answer on stderr"
build/iptsim trace "$rules" -i eth0 -s 198.51.100.7 -p tcp --dport 22
echo
echo "\$ build/iptsim test corpus/specs/firewalld-default-v4.yaml   # firewall unit tests"
build/iptsim test corpus/specs/firewalld-default-v4.yaml
