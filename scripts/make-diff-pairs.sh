#!/bin/bash
# Regenerate and check corpus/diff-pairs/: pairs of rulesets (old, new) one
# realistic edit apart, the test data of `iptsim diff` (corpus/diff-pairs/README.md).
#
# Usage: scripts/make-diff-pairs.sh [--ufw] [--no-generate] [--check] [--expect IPTSIM [--verify]]
#   (no option)      write the edited pairs from the corpus rulesets
#                    (scripts/diff_pairs.py: the edits, expect.txt, the README table)
#   --no-generate    leave the pairs as they are (only check them)
#   --ufw            first remake the pair ufw-allow-8080 with the real ufw
#                    (scripts/make-realworld-rulesets.sh ufw-allow-8080; root, ufw installed)
#   --check          load every old.* and new.* into the kernel, each in a throw-away
#                    network namespace: ipset restore of the side's .ipset, then
#                    iptables-legacy-restore --test, then a real restore whose
#                    iptables-legacy-save must give back the file's rules (root;
#                    a pair whose old file is not in iptables-save's canonical form,
#                    as corpus/examples/ are not, needs only load)
#   --expect IPTSIM  run every expect.txt line through `IPTSIM trace` on both sides and
#                    compare the verdicts (old with old.*, new with new.*)
#   --verify         with --expect: also run each of those packets through
#                    `IPTSIM verify` (the real kernel, root), which must agree with the
#                    simulation (skipped: pairs with ipsets, as verify takes no --ipset,
#                    packets with --ctstate or a received --mark, which the kernel
#                    lab cannot inject, and pairs traced with --seed: the kernel draws
#                    its random matches anew)
#   DIFF_PAIRS_DIR=DIR  check the pairs in DIR instead of corpus/diff-pairs
# Nothing touches the initial network namespace's rules.
set -euo pipefail

HERE=$(cd "$(dirname "$0")/.." && pwd)
PAIRS=${DIFF_PAIRS_DIR:-$HERE/corpus/diff-pairs}

UFW=0 GENERATE=1 CHECK=0 IPTSIM= VERIFY=0
while [ $# -gt 0 ]; do
    case $1 in
        --ufw) UFW=1 ;;
        --no-generate) GENERATE=0 ;;
        --check) CHECK=1 ;;
        --verify) VERIFY=1 ;;
        --expect) IPTSIM=${2:?--expect needs the iptsim binary}; shift ;;
        -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
        *) echo "make-diff-pairs.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
    shift
done

if [ $UFW = 1 ]; then
    "$HERE/scripts/make-realworld-rulesets.sh" ufw-allow-8080
fi
[ $GENERATE = 0 ] || python3 "$HERE/scripts/diff_pairs.py" --out "$PAIRS" "$HERE"

# ---------------------------------------------------------------------------
# --check: every file loads in the kernel and reads back the same

NS=
cleanup() {
    local rc=$?
    [ -z "$NS" ] || ip netns del "$NS" 2>/dev/null || true
    exit $rc
}
trap cleanup EXIT

# the rule and chain lines of a save, counters and comments dropped, tables sorted
rules_of() {
    awk '/^#/ { next }
         /^\*/ { t = $0; next }
         { sub(/ \[[0-9]+:[0-9]+\]$/, ""); print t " " $0 }' "$1" | LC_ALL=C sort
}

# check_file FILE IPSET-or-empty LOAD-ONLY: 0 when FILE loads and reads back
# identically (with LOAD-ONLY=1: when it loads); sets CANONICAL=0 when it loads
# but reads back otherwise
check_file() {
    local f=$1 set=$2 load_only=$3 restore save out rc=0
    case $f in
        *.v4) restore=iptables-legacy-restore save=iptables-legacy-save ;;
        *.v6) restore=ip6tables-legacy-restore save=ip6tables-legacy-save ;;
    esac
    NS=dpairs-$$
    ip netns add "$NS"
    if [ -n "$set" ] && ! ip netns exec "$NS" ipset restore < "$set"; then
        echo "FAIL ipset restore $set"; rc=1
    elif ! ip netns exec "$NS" $restore --test < "$f"; then
        echo "FAIL $restore --test ${f#$PAIRS/}"; rc=1
    elif ! ip netns exec "$NS" $restore < "$f"; then
        echo "FAIL $restore ${f#$PAIRS/}"; rc=1
    else
        out=$(mktemp)
        ip netns exec "$NS" $save > "$out"
        if diff <(rules_of "$f") <(rules_of "$out") > "$out.diff"; then
            echo "ok   ${f#$PAIRS/}"
        elif [ "$load_only" = 1 ]; then
            echo "ok   ${f#$PAIRS/} (loads; not in canonical form, as its old file)"
        elif [[ $f == */old.v[46] ]]; then
            echo "ok   ${f#$PAIRS/} (loads; not in canonical form: its new file need only load)"
            CANONICAL=0
        else
            echo "DIFF ${f#$PAIRS/} (the kernel's save differs):"
            sed 's/^/    /' "$out.diff"
            rc=1
        fi
        rm -f "$out" "$out.diff"
    fi
    ip netns del "$NS"; NS=
    return $rc
}

FAILED=0
if [ $CHECK = 1 ]; then
    [ "$(id -u)" = 0 ] || { echo "--check must run as root" >&2; exit 2; }
    for d in "$PAIRS"/*/; do
        CANONICAL=1
        for f in "$d"old.v4 "$d"old.v6 "$d"new.v4 "$d"new.v6; do
            [ -e "$f" ] || continue
            side=$(basename "$f"); side=${side%.v[46]}
            set=; [ -e "$d$side.ipset" ] && set=$d$side.ipset
            load_only=0; [ $side = new ] && [ $CANONICAL = 0 ] && load_only=1
            check_file "$f" "$set" $load_only || FAILED=1
        done
    done
fi

# ---------------------------------------------------------------------------
# --expect: the verdicts iptsim gives the expect.txt packets

# verdict IPTSIM ARGS... : the verdict word of the single packet, or what went wrong
verdict() {
    local err
    err=$("$@" 2>&1 >/dev/null) || true
    if [[ $err =~ packet\ 1:\ ([A-Z]+)\ by ]]; then
        echo "${BASH_REMATCH[1]}"
    else
        echo "?($(echo "$err" | grep -v ': note: ' | head -1))"
    fi
}

if [ -n "$IPTSIM" ]; then
    for d in "$PAIRS"/*/; do
        name=$(basename "$d")
        args=(); [ -e "$d/args" ] && read -ra args < "$d/args"
        while IFS= read -r line; do
            [ "$line" != unchanged ] || continue
            packet=${line% => *}; want=${line##* => }
            read -ra words <<< "$packet"
            ext=v4
            if [ ! -e "$d/old.v4" ] || [[ $packet =~ -[sd]\ [0-9a-fA-F]*: ]]; then ext=v6; fi
            got=
            for side in old new; do
                set=(); [ -e "$d/$side.ipset" ] && set=(--ipset "$d/$side.ipset")
                v=$(cd "$HERE" && verdict "$IPTSIM" trace "${args[@]}" "${set[@]}" \
                    "$d/$side.$ext" "${words[@]}")
                got=${got:+$got -> }$v
            done
            if [ "$got" = "$want" ]; then
                echo "ok   $name: $packet => $got"
            else
                echo "DIFF $name: $packet => expected $want, iptsim says $got"
                FAILED=1
            fi
            [ $VERIFY = 1 ] && [ ! -e "$d/old.ipset" ] || continue
            if [[ " $packet " =~ \ --(ctstate|mark)\  ]]; then
                echo "skip $name: $packet: the kernel lab cannot inject --${BASH_REMATCH[1]}"
                continue
            fi
            if [[ " ${args[*]} " == *" --seed "* ]]; then
                echo "skip $name: $packet: the kernel draws its random matches anew"
                continue
            fi
            for side in old new; do
                if out=$(cd "$HERE" && "$IPTSIM" verify "${args[@]}" "$d/$side.$ext" "${words[@]}" 2>&1); then
                    echo "ok   $name: $side: the kernel agrees"
                else
                    echo "DIFF $name: $side: $packet: the kernel disagrees:"
                    echo "$out" | sed 's/^/    /'
                    FAILED=1
                fi
            done
        done < "$d/expect.txt"
    done
fi
exit $FAILED
