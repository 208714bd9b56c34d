#!/bin/bash
# Ask the real iptables-legacy (1.8.9) + kernel what happens to rules.
# usage: oracle.sh [-6] TABLE CHAIN 'rule args' ['rule args' ...]
# For each rule: loads "-A CHAIN rule" into TABLE inside a throw-away network
# namespace and prints the iptables-legacy-save line, or the error.
# Never touches the host namespace.  Deletes the namespace on exit.
fam=""; [ "$1" = "-6" ] && { fam=6; shift; }
t=$1; c=$2; shift 2
ns=orc-$$-$RANDOM
ip netns add $ns || exit 2
trap 'ip netns del $ns 2>/dev/null' EXIT INT TERM
case "$c" in PREROUTING|INPUT|FORWARD|OUTPUT|POSTROUTING) decl="";; *) decl=":$c - [0:0]";; esac
for r in "$@"; do
  echo "== $r"
  printf '*%s\n%s\n-A %s %s\nCOMMIT\n' "$t" "$decl" "$c" "$r" | ip netns exec $ns ip${fam}tables-legacy-restore 2>&1 \
    && ip netns exec $ns ip${fam}tables-legacy-save -t $t | grep '^-A'
  printf '*%s\nCOMMIT\n' "$t" | ip netns exec $ns ip${fam}tables-legacy-restore 2>/dev/null
done
