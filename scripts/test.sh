#!/bin/bash
# Set up, build, and run the whole test suite (unit, conformance, round trip,
# and the kernel differential tests when root).
#   scripts/test.sh [extra cmake args...]   (CI adds -DIPTSIM_WERROR=ON)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build "$@"
# Two at a time, then the kernel tests (root only: namespaces and the lab
# lock) one at a time.
ctest --test-dir build --output-on-failure -LE kernel -j2
ctest --test-dir build --output-on-failure -L kernel
