#!/bin/bash
# Runs tests/layer_check.sh on the tree (it must pass), then on a copy of the
# layer directories with one deliberately upward include added to the engine
# (it must fail and name that line): the check can fail.
set -u
src=$1
"$src/tests/layer_check.sh" "$src" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for d in base engine matchers loader output verifier cli; do cp -r "$src/$d" "$tmp/"; done
echo '#include "loader/loader.h"' >>"$tmp/engine/walker.cc"
if out=$("$src/tests/layer_check.sh" "$tmp"); then
  echo "layers: FAIL: an upward include in engine/walker.cc was not caught"
  exit 1
fi
if ! grep -q '^engine/walker.cc:[0-9]*: error: #include "loader/loader.h": layer engine may not include loader' <<<"$out"; then
  echo "layers: FAIL: the upward include was not reported as expected:"
  echo "$out"
  exit 1
fi
echo "layers: a deliberately upward include is caught: $(grep error <<<"$out")"
