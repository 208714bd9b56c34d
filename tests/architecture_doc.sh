#!/bin/bash
# Keeps docs/architecture.md true to the code:
#  - every repository path it names in backquotes exists;
#  - every `FILE:Function` step of the packet path names a function that
#    FILE defines (the name followed by '(' at the start of a definition);
#  - every code block whose opening fence names a file (```cpp matchers/x.cc)
#    is a verbatim part of that file (the walkthrough quotes real code).
# usage: architecture_doc.sh SOURCE_DIR
set -u
src=$1
doc=$src/docs/architecture.md
bad=0
fail() { echo "architecture-doc: $1"; bad=$((bad + 1)); }

paths=0
while read -r p; do
  paths=$((paths + 1))
  [ -e "$src/$p" ] || fail "docs/architecture.md names '$p', which does not exist"
done < <(grep -o '`[a-z][a-z_]*/[A-Za-z0-9_./-]*`' "$doc" | tr -d '`' | sed 's/:.*//' | sort -u)

steps=0
while IFS=: read -r file func; do
  steps=$((steps + 1))
  name=${func##*::}
  if [ ! -f "$src/$file" ]; then
    fail "step $file:$func: no such file"
  elif ! grep -qE "(^|[ *&:])${name}\(" "$src/$file"; then
    fail "step $file:$func: $file defines no function $name"
  fi
done < <(grep -oE '`[a-z][a-z_]*/[a-z_]+\.(cc|h):[A-Za-z_:~]+`' "$doc" | tr -d '`' | sort -u)

blocks=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk -v dir="$tmp" '
  /^```[a-z]+ [a-z][a-z_]*\/[^ ]+$/ { n++; file = $2; out = dir "/" n; print file > (out ".name"); inblock = 1; next }
  /^```/ && inblock { inblock = 0; close(out); next }
  inblock { print > out }' "$doc"
for name in "$tmp"/*.name; do
  [ -f "$name" ] || continue
  blocks=$((blocks + 1))
  block=${name%.name}
  file=$(cat "$name")
  if [ ! -f "$src/$file" ]; then
    fail "code block from '$file': no such file"
  elif ! python3 - "$block" "$src/$file" <<'PY'
import sys
block = open(sys.argv[1]).read()
sys.exit(0 if block in open(sys.argv[2]).read() else 1)
PY
  then
    fail "code block from '$file' is no longer in that file (update the walkthrough):"
    head -3 "$block" | sed 's/^/    /'
  fi
done

echo "architecture-doc: $paths paths, $steps steps, $blocks quoted blocks checked, $bad problems"
[ $bad -eq 0 ] && [ $steps -gt 0 ] && [ $blocks -gt 0 ]
