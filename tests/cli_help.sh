#!/bin/bash
# What iptsim says about itself (cli/help.h): --version from CMakeLists.txt,
# COMMAND --help, bare usage, and that `iptsim help`, the man page, the bash
# completion and README.md list every option of the command tables of
# cli/options.cc (read from the source here, not from the binary), and that
# the docs name no command that does not exist.
# usage: cli_help.sh IPTSIM SOURCE_DIR BUILD_DIR
set -u
iptsim=$1
src=$2
build=$3
pass=0
fail=0
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
expect() {  # expect NAME WANT_STATUS COMMAND...
  local name=$1 want_rc=$2
  shift 2
  "$@" >"$out" 2>"$err"
  local got=$?
  if [ "$got" -eq "$want_rc" ]; then ok; else
    bad "$name: exit $got, want $want_rc"; sed 's/^/    /' "$err" | head -5; fi
}
is() {  # is NAME FILE EXACT_TEXT
  if [ "$(cat "$2")" = "$3" ]; then ok; else
    bad "$1: got"; sed 's/^/    /' "$2" | head -8; echo "  want"; echo "$3" | sed 's/^/    /'; fi
}
contains() {  # contains NAME FILE TEXT
  if grep -qF -- "$3" "$2"; then ok; else bad "$1: '$3' not in $2"; fi
}

# --version / -V: the version of CMakeLists.txt's project() line.
version=$(sed -n 's/^project(iptsim VERSION \([0-9.]*\) .*/\1/p' "$src/CMakeLists.txt")
[ -n "$version" ] || bad "no VERSION in CMakeLists.txt's project()"
expect "--version" 0 "$iptsim" --version
is "--version text" "$out" "iptsim $version"
expect "-V" 0 "$iptsim" -V
is "-V text" "$out" "iptsim $version"

# Bare iptsim: a short usage on stderr, nothing on stdout, exit 2.
expect "bare iptsim" 2 "$iptsim"
is "bare iptsim: stdout" "$out" ""
is "bare iptsim: usage" "$err" "usage: iptsim COMMAND [OPTIONS] RULES [PACKET...]
commands: check save trace verify test replay diff query help
Try 'iptsim help' for the commands and their options, 'iptsim COMMAND --help'
for one command, 'iptsim --version' for the version."
commands=$(sed -n 's/^commands: //p' "$err")
[ "$(echo $commands | wc -w)" -ge 5 ] || bad "too few commands in the usage: $commands"
expect "iptsim --help" 0 "$iptsim" --help
contains "iptsim --help is iptsim help" "$out" "commands:"

# The option table rows of cli/options.cc: {"NAME", ALIAS-or-nullptr, ...
rows=$(grep -oE '\{"-[-a-zA-Z0-9]+", (nullptr|"-[-a-zA-Z0-9]+")' "$src/cli/options.cc" |
  sed -E 's/^\{"([^"]*)", (nullptr|"([^"]*)")/\1 \3/')
options=$(echo "$rows" | tr ' ' '\n' | grep . | sort -u)
[ "$(echo "$options" | wc -l)" -ge 25 ] || bad "too few options read from cli/options.cc: $options"

# COMMAND --help, -h, help COMMAND: the same text on stdout, exit 0, with the
# usage line, every option of the command and its exit statuses.
"$iptsim" help >"$build/help-all.txt"
for c in $commands; do
  expect "$c --help" 0 "$iptsim" "$c" --help
  cp "$out" "$build/help-$c.txt"
  is "$c --help: no stderr" "$err" ""
  contains "$c --help: usage" "$out" "usage: iptsim $c [OPTIONS] "
  contains "$c --help: exit statuses" "$out" "exit status:"
  contains "$c --help: -h" "$out" "-h, --help"
  expect "$c -h" 0 "$iptsim" "$c" -h
  cmp -s "$out" "$build/help-$c.txt" && ok || bad "$c -h differs from $c --help"
  expect "help $c" 0 "$iptsim" help "$c"
  cmp -s "$out" "$build/help-$c.txt" && ok || bad "help $c differs from $c --help"
done
expect "trace RULES PACKET --help" 0 "$iptsim" trace "$src/corpus/examples/kube-service-3.v4" -p tcp --help
cmp -s "$out" "$build/help-trace.txt" && ok || bad "--help after RULES"

# The help fits an 80-column terminal.
wide=$(cat "$build"/help-*.txt | awk 'length > 80')
[ -z "$wide" ] && ok || bad "help lines over 80 columns: $wide"

# Every option of the table: in `iptsim help`, in some command's --help, in
# the man page (roff: \- for -), in the completion, in the README.
man=$build/iptsim.1
completion=$build/iptsim.bash-completion
for o in $options; do
  grep -qF -- "$o" "$build/help-all.txt" || [ "$o" = -h ] || [ "$o" = --help ] || bad "iptsim help does not list $o"
  cat "$build"/help-*.txt | grep -qE -- "(^|[ ,])$o([ ,=]|$)" && ok || bad "no COMMAND --help lists $o"
  grep -qF -- "$(echo "$o" | sed 's/-/\\-/g')" "$man" && ok || bad "the man page does not list $o"
  grep -qE -- "(^|[ '|])$o([ '|)]|$)" "$completion" && ok || bad "the completion does not list $o"
  grep -qF -- "\`$o" "$src/README.md" && ok || bad "README.md does not list $o"
done
# Every command: in the man page, the completion and the README's command reference.
for c in $commands; do
  grep -qF "iptsim $c" "$man" && ok || bad "the man page lacks $c"
  grep -qE "^    $c\)" "$completion" && ok || bad "the completion lacks $c"
  grep -qE "^    iptsim $c " "$src/README.md" && ok || bad "README's command reference lacks $c"
done

# The completion works: complete a few words with it in bash.
complete_words() {  # complete_words WORD... (the last one is being completed)
  bash -c 'source "$1"; shift; COMP_WORDS=(iptsim "$@"); COMP_CWORD=$#; _iptsim; echo "${COMPREPLY[*]}"' \
    _ "$completion" "$@"
}
[ "$(complete_words tr)" = trace ] && ok || bad "completing 'tr': $(complete_words tr)"
[ "$(complete_words trace --form)" = --format ] && ok || bad "completing '--form': $(complete_words trace --form)"
[ "$(complete_words trace --format '')" = "kernel nft explain json" ] && ok ||
  bad "completing --format's value: $(complete_words trace --format '')"
[ "$(complete_words verify --backend n)" = nft ] && ok || bad "completing --backend's value"
[ "$(complete_words help ve)" = verify ] && ok || bad "completing help's COMMAND"

# The docs name only commands that exist: `iptsim WORD` in backquotes and in
# indented command lines of README.md and docs/.
named=$(cat "$src/README.md" "$src"/docs/*.md |
  grep -oE '(`|^ +(\$ )?(sudo )?)(build/)?iptsim [a-z][a-z-]*' | sed -E 's/.*iptsim //' | sort -u)
for w in $named; do
  echo "$commands" | tr ' ' '\n' | grep -qx -- "$w" && ok || bad "the docs name 'iptsim $w', which is no command"
done
# ... and no document outside the repository (no web address).
if grep -nE 'https?://' "$src/README.md" "$src"/docs/*.md; then bad "a web address in the docs"; else ok; fi

echo "cli-help: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
