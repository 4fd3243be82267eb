#!/usr/bin/env bash
# Runs every test: C++ unit tests (release and ASan+UBSan builds), the
# libFuzzer targets briefly, and the Python suite. Sets everything up first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

echo "== C++ tests (release)"
ctest --test-dir build/release --output-on-failure -j2

echo "== C++ tests (AddressSanitizer + UndefinedBehaviorSanitizer)"
[ -f build/asan/build.ninja ] || cmake --preset asan >/dev/null
cmake --build --preset asan
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build/asan --output-on-failure -j2

echo "== libFuzzer targets"
[ -f build/fuzz/build.ninja ] || cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
bash scripts/run_fuzzers.sh "${FUZZ_SECONDS:-5}"

echo "== Packaging (pip install .)"
bash scripts/check_wheel.sh

echo "== Python tests"
export GEOBATCH_CLI="$PWD/build/release/tools/geobatch"
PYTHONPATH="$PWD/python" .venv/bin/python -m pytest -q tests/python
