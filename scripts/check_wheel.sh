#!/usr/bin/env bash
# Checks that `pip install .` works: builds the wheel (scikit-build-core),
# installs it into a fresh virtualenv and reads an array through the
# installed package and the installed `geobatch` program.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The CUDA target is checked by the main build; packaging is checked without it.
.venv/bin/pip wheel -q --no-build-isolation --no-deps -C cmake.define.GEOBATCH_WITH_CUDA=OFF \
  -w "$work/wheel" .
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q "$work"/wheel/geobatch-*.whl
.venv/bin/python - "$work/store" <<'PY'
import sys, numpy as np, zarr
z = zarr.create_array(sys.argv[1], shape=(6, 5), chunks=(4, 4), dtype="int32", fill_value=-1)
z[:] = np.arange(30, dtype="int32").reshape(6, 5)
PY
cd "$work"
"$work/venv/bin/python" -c "
import sys, numpy as np, geobatch
a = geobatch.open_array('$work/store')
assert (a[:] == np.arange(30, dtype='int32').reshape(6, 5)).all(), a[:]
print('wheel ok:', a)
"
"$work/venv/bin/geobatch" info "$work/store" | grep -q "shape: (6, 5)"
