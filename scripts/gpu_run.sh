#!/usr/bin/env bash
# On a GPU machine, with shared-bundle/ from scripts/gpu_prepare.sh: builds
# geobatch (with the CUDA target and the Python module) against the bundle,
# then runs every GPU test and benchmark:
#   1. the C++ GPU tests (geobatch_gpu_tests), then again under
#      compute-sanitizer (memcheck, racecheck, synccheck, initcheck)
#   2. the Python GPU tests (tests/python/gpu)
#   3. bench/bench_gpu.py (results in $OUT when set, else build/gpu-bench)
# Exits non-zero on any failure or sanitizer finding.
set -euo pipefail
cd "$(dirname "$0")/.."
BUNDLE=$PWD/shared-bundle
[ -f "$BUNDLE/sysroot.tar.xz" ] || { echo "gpu_run: no $BUNDLE; run scripts/gpu_prepare.sh first" >&2; exit 1; }
PYTHON=${PYTHON:-python3}
# Unpack (Python's tarfile and lzma: no xz binary needed).
mkdir -p build/gpu-bundle
"$PYTHON" - "$BUNDLE" build/gpu-bundle <<'PY'
import lzma, os, shutil, sys, tarfile
bundle, out = sys.argv[1:]
if not os.path.isdir(f"{out}/sysroot"):
    with tarfile.open(f"{bundle}/sysroot.tar.xz") as tar:
        tar.extractall(out)
if not os.path.isfile(f"{out}/libnvcomp.so.6"):
    with lzma.open(f"{bundle}/libnvcomp.so.6.xz") as src, open(f"{out}/libnvcomp.so.6", "wb") as dst:
        shutil.copyfileobj(src, dst)
PY
SYSROOT=$PWD/build/gpu-bundle/sysroot
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true

# Python packages from the bundle, beside the machine's own.
SITE=$PWD/build/gpu-site
mkdir -p "$SITE"
"$PYTHON" -m pip install -q --no-index --no-deps --target "$SITE" --upgrade \
  $(ls "$BUNDLE"/wheels/*.whl) 2>&1 | grep -v "^$" || true
export PYTHONPATH=$PWD/python:$SITE
export GEOBATCH_NVCOMP_LIBRARY=$PWD/build/gpu-bundle/libnvcomp.so.6
export GEOBATCH_CUFILE_LIBRARY=$(ls "$SITE"/nvidia/cu13/lib/libcufile.so.0 2>/dev/null || true)

# Build against the unpacked Debian packages.
MULTIARCH=$SYSROOT/usr/lib/x86_64-linux-gnu
export CMAKE_PREFIX_PATH=$SYSROOT/usr
export PKG_CONFIG_PATH=$MULTIARCH/pkgconfig:$SYSROOT/usr/share/pkgconfig
export PKG_CONFIG_SYSROOT_DIR=$SYSROOT
export LD_LIBRARY_PATH=$MULTIARCH:${LD_LIBRARY_PATH:-}
export LIBRARY_PATH=$MULTIARCH:${LIBRARY_PATH:-}
export CPATH=$SYSROOT/usr/include:${CPATH:-}
cmake -S . -B build/gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DGEOBATCH_WITH_CUDA=ON \
  -DGEOBATCH_BUILD_TOOLS=OFF -DPython_EXECUTABLE="$(command -v "$PYTHON")" \
  -DZLIB_ROOT=$SYSROOT/usr -DBZIP2_INCLUDE_DIR=$SYSROOT/usr/include -DBZIP2_LIBRARIES=$MULTIARCH/libbz2.so \
  -DCURL_INCLUDE_DIR=$SYSROOT/usr/include/x86_64-linux-gnu -DCURL_LIBRARY=$MULTIARCH/libcurl.so \
  -DOPENSSL_ROOT_DIR=$SYSROOT/usr -DGTest_DIR=$MULTIARCH/cmake/GTest >/dev/null
cmake --build build/gpu -j"$(nproc)" --target geobatch_gpu_tests _core

status=0
echo "== C++ GPU tests"
build/gpu/src/geobatch/gpu/geobatch_gpu_tests || status=1

echo "== compute-sanitizer"
SANITIZER=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
for tool in memcheck racecheck synccheck initcheck; do
  # initcheck reports nvCOMP's own uninitialised scratch reads; it checks geobatch's kernels only.
  filter=()
  [ "$tool" = initcheck ] && filter=(--gtest_filter='HostToDevice*:PinnedRing*:GpuWindowReaderTest.Uncompressed*')
  "$SANITIZER" --tool "$tool" --error-exitcode 9 \
    build/gpu/src/geobatch/gpu/geobatch_gpu_tests "${filter[@]}" >build/gpu/sanitizer-$tool.log 2>&1 \
    && echo "$tool: clean" || { status=1; echo "$tool: FAILED"; tail -40 build/gpu/sanitizer-$tool.log; }
done

echo "== Python GPU tests"
"$PYTHON" -m pytest -q -p no:cacheprovider tests/python/gpu || status=1

echo "== GPU benchmark"
"$PYTHON" bench/bench_gpu.py --out "${OUT:-build/gpu-bench}" || status=1
exit $status
