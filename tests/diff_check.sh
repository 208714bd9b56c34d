#!/bin/bash
# ctest diff-check: iptsim diff's symbolic answer against the concrete engine
# by brute force (tests/diff_check.cc) over every pair of corpus/diff-pairs/.
#   diff_check.sh CHECKER SOURCE_DIR [PACKETS_PER_PATH] [SEED]
# ctest runs 30 packets per path and pair; give a larger PACKETS_PER_PATH for
# a longer run (60: 7,020 packets in about 80 s).
set -u
checker=$1
src=$2
packets=${3:-200}
seed=${4:-1}
pairs=()
for dir in "$src"/corpus/diff-pairs/*/; do
  for fam in v4 v6; do
    [ -f "$dir/old.$fam" ] && [ -f "$dir/new.$fam" ] && pairs+=("$dir/old.$fam" "$dir/new.$fam")
  done
done
[ ${#pairs[@]} -ge 60 ] || { echo "diff-check: only $((${#pairs[@]} / 2)) pairs found"; exit 1; }
"$checker" "$packets" "$seed" "${pairs[@]}"
