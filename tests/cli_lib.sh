# The helpers of the CLI tests (tests/cli_*.sh), sourced after setting
# iptsim, src, tmp, out and err.  Each check adds to $pass or $fail and
# says what failed; the test ends with `finish NAME`.
pass=0
fail=0

expect() {  # expect NAME WANT_STATUS COMMAND...: runs COMMAND in $tmp
  local name=$1 want_rc=$2
  shift 2
  (cd "$tmp" && "$@") >"$out" 2>"$err"
  local got=$?
  if [ "$got" -eq "$want_rc" ]; then pass=$((pass + 1)); else
    echo "FAIL $name: exit $got, want $want_rc"; sed 's/^/    /' "$err" "$out" | head -8; fail=$((fail + 1)); fi
}
ok() {  # ok NAME CONDITION-STATUS
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); else echo "FAIL $1"; sed 's/^/    /' "$out" | head -12; fail=$((fail + 1)); fi
}
has() {  # has NAME FILE FIXED-LINE: FILE holds the line exactly
  if grep -qxF -- "$3" "$2"; then pass=$((pass + 1)); else
    echo "FAIL $1: no line '$3' in:"; sed 's/^/    /' "$2" | head -20; fail=$((fail + 1)); fi
}
lacks() {  # lacks NAME FILE PATTERN: no line of FILE matches the regex
  if ! grep -q -- "$3" "$2"; then pass=$((pass + 1)); else
    echo "FAIL $1: a line matches '$3':"; grep -- "$3" "$2" | sed 's/^/    /' | head -5; fail=$((fail + 1)); fi
}
exactly() {  # exactly NAME FILE (the wanted text on stdin)
  if diff <(cat) "$2" >"$tmp/diff"; then pass=$((pass + 1)); else
    echo "FAIL $1: (< wanted, > got)"; sed 's/^/    /' "$tmp/diff" | head -16; fail=$((fail + 1)); fi
}
finish() {  # finish NAME: the count, and the status
  echo "$1: $pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
