#!/bin/bash
# cmake --install into a temporary prefix: the binary, the man page, the bash
# completion and the docs land where the README says, and the installed
# binary runs.
# usage: install.sh BUILD_DIR
set -u
build=$1
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
fail=0
cmake --install "$build" --prefix "$prefix" >/dev/null || { echo "FAIL cmake --install"; exit 1; }
for f in bin/iptsim share/man/man1/iptsim.1 share/bash-completion/completions/iptsim \
  share/doc/iptsim/README.md share/doc/iptsim/docs/packet-options.md; do
  [ -s "$prefix/$f" ] || { echo "FAIL $f not installed"; fail=1; }
done
version=$("$prefix/bin/iptsim" --version) || { echo "FAIL the installed iptsim --version"; fail=1; }
[ "$version" = "$("$build/iptsim" --version)" ] || { echo "FAIL installed version '$version'"; fail=1; }
grep -qF "\"$version\"" "$prefix/share/man/man1/iptsim.1" || { echo "FAIL the man page is not of $version"; fail=1; }
bash -n "$prefix/share/bash-completion/completions/iptsim" || { echo "FAIL the completion is no bash"; fail=1; }
[ "$fail" -eq 0 ] && echo "install: ok ($version into a temporary prefix)"
exit "$fail"
