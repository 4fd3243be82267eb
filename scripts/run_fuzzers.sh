#!/usr/bin/env bash
# Runs every built libFuzzer target (build/fuzz/fuzz/fuzz_*) for N seconds
# each (default 5), and fails if any of them finds a crash.
# Usage: scripts/run_fuzzers.sh [seconds] ; FUZZ_BUILD_DIR overrides build/fuzz.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-5}"
build_dir="${FUZZ_BUILD_DIR:-build/fuzz}"

shopt -s nullglob
targets=("$build_dir"/fuzz/fuzz_*)
if [ ${#targets[@]} -eq 0 ]; then
  echo "no fuzz targets in $build_dir/fuzz; build them with: cmake --preset fuzz && cmake --build --preset fuzz" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failed=()
for target in "${targets[@]}"; do
  [ -x "$target" ] || continue
  name="$(basename "$target")"
  mkdir -p "$work/$name/corpus"
  # Crash reproducers land in $work/$name; the log is shown on failure.
  if "$target" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$work/$name/" "$work/$name/corpus" >"$work/$name.log" 2>&1; then
    echo "ok      $name ($(grep -oE 'cov: [0-9]+' "$work/$name.log" | tail -1))"
  else
    echo "FAILED  $name"
    tail -n 40 "$work/$name.log"
    mkdir -p "$build_dir/fuzz-artifacts"
    cp "$work/$name"/crash-* "$work/$name"/leak-* "$work/$name"/timeout-* \
      "$build_dir/fuzz-artifacts/" 2>/dev/null || true
    failed+=("$name")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz targets that failed: ${failed[*]} (reproducers in $build_dir/fuzz-artifacts)" >&2
  exit 1
fi
