#!/bin/bash
# The layers of iptsim (docs/architecture.md), lowest first:
#   base -> engine -> matchers -> loader -> symbolic -> output -> verifier -> cli
# A file may include headers of its own layer and of the layers below it,
# never of one above.  This prints every #include that points up and fails
# when there is one.  (The link-check executables of tests/CMakeLists.txt
# catch the same mistake at link time.)
#
# usage: layer_check.sh SOURCE_DIR
set -u
src=$1
layers=(base engine matchers loader symbolic output verifier cli)
rank() {
  local i
  for i in "${!layers[@]}"; do [ "${layers[$i]}" = "$1" ] && { echo "$i"; return; }; done
  echo -1
}
bad=0
checked=0
for dir in "${layers[@]}"; do
  [ -d "$src/$dir" ] || continue
  own=$(rank "$dir")
  for f in "$src/$dir"/*.h "$src/$dir"/*.cc "$src/$dir"/*.def "$src/$dir"/*.inc; do
    [ -f "$f" ] || continue
    checked=$((checked + 1))
    while IFS=: read -r line inc; do
      target=${inc%%/*}
      r=$(rank "$target")
      if [ "$r" -gt "$own" ]; then
        echo "${f#$src/}:$line: error: #include \"$inc\": layer $dir may not include $target (a layer above it)"
        bad=$((bad + 1))
      fi
    done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[a-z_]*/' "$f" |
             sed 's/^\([0-9]*\):[^"]*"\([^"]*\)".*/\1:\2/')
  done
done
echo "layers: $checked files checked, $bad upward includes"
[ $bad -eq 0 ]
