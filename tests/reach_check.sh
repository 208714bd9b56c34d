#!/bin/bash
# reach-check: the packets that reach and match each rule (iptsim query
# --rule) checked by brute force against the engine over every ruleset of
# corpus/rulesets (tests/diff_check.cc --reach says how).
#   reach_check.sh CHECKER SOURCE_DIR [PACKETS_PER_PATH [SEED]]
# ctest runs 15 packets per path; give more for a longer run.
set -u
checker=$1
src=$2
packets=${3:-100}
seed=${4:-1}
rules=("$src"/corpus/rulesets/*.v4 "$src"/corpus/rulesets/*.v6)
[ ${#rules[@]} -ge 20 ] || { echo "reach-check: only ${#rules[@]} rulesets found"; exit 1; }
"$checker" --reach "$packets" "$seed" "${rules[@]}"
