#!/usr/bin/env bash
# The main job: builds geobatch, writes a realistic sample datacube with
# zarr-python (reanalysis-like float32 temperature, zstd and sharded), shows
# `geobatch info` of it and reads it all, printing throughput.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cube=.data/sample_cube.zarr
.venv/bin/python bench/make_datacube.py "$cube" --gigabytes "${DEMO_GB:-0.5}"
cli=build/release/tools/geobatch
echo "== geobatch info $cube"
"$cli" info "$cube"
echo "== geobatch scan $cube (whole arrays)"
"$cli" scan "$cube"
echo "== geobatch scan $cube (chunk by chunk)"
"$cli" scan "$cube" --chunks
echo "== streaming shuffled batches from $cube"
PYTHONPATH=python .venv/bin/python bench/stream_batches.py "$cube" --seconds "${DEMO_SECONDS:-10}"
