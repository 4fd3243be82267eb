#!/usr/bin/env bash
# Prepares what a GPU machine (no package registry; its own Python 3.12 with
# torch, CuPy, nanobind, scikit-build-core, cmake, ninja, nvcc) needs to
# build and test geobatch's GPU path: shared-bundle/ (gitignored, carried to
# the machine) with
#   sysroot.tar.xz     headers and libraries of the Debian packages geobatch
#                      links, from `apt-get download` + `dpkg -x`
#   libnvcomp.so.6.xz  nvCOMP's library, out of the nvidia-libnvcomp-cu13 wheel
#   wheels/            nvidia-cufile and the Python packages the GPU tests
#                      and benchmark import, for Python 3.12
# (xz, because the carried bundle must stay under 64 MiB.)
# Then run scripts/gpu_run.sh there. Prints the bundle's size (the device
# tool carries at most 64 MiB).
set -euo pipefail
cd "$(dirname "$0")/.."
BUNDLE=shared-bundle
rm -rf "$BUNDLE"
mkdir -p "$BUNDLE/debs" "$BUNDLE/sysroot" "$BUNDLE/wheels" "$BUNDLE/tmp"

# Debian packages: each -dev package (headers, .so link, .pc), its runtime
# library, and the shared libraries those load (libcurl's closure), so that
# linking and loading work on a machine that has none of them.
DEBS=(libblosc-dev libblosc1 libsnappy1v5 libzstd-dev libzstd1 liblz4-dev liblz4-1 libdeflate-dev libdeflate0
      zlib1g-dev zlib1g libbz2-dev libbz2-1.0 nlohmann-json3-dev libgtest-dev
      libcurl4-openssl-dev libcurl4 libssl-dev libssl3
      libbrotli1 libffi8 libgmp10 libgnutls30 libgssapi-krb5-2 libhogweed6 libidn2-0 libk5crypto3 libkrb5-3
      libkrb5support0 libldap-2.5-0 libnettle8 libnghttp2-14 libp11-kit0 libpsl5 librtmp1 libsasl2-2 libssh2-1
      libtasn1-6 libunistring2 libkeyutils1 libcom-err2)
apt-get update -qq >/dev/null
(cd "$BUNDLE/debs" && apt-get download -qq "${DEBS[@]}")
for deb in "$BUNDLE"/debs/*.deb; do dpkg -x "$deb" "$BUNDLE/sysroot"; done
# Shared libraries only: the static archives would double the size.
rm -rf "$BUNDLE/debs" "$BUNDLE"/sysroot/usr/share/{doc,man,lintian,locale}
find "$BUNDLE/sysroot" -name '*.a' ! -name 'libgtest*.a' -delete
tar -C "$BUNDLE" -cJf "$BUNDLE/sysroot.tar.xz" sysroot
rm -rf "$BUNDLE/sysroot"

# Wheels for the GPU machine's Python 3.12. numpy, torch and CuPy are there.
PIP=(pip download -q --python-version 3.12 --platform manylinux_2_28_x86_64 --only-binary=:all: -d "$BUNDLE/wheels")
pip download -q --no-deps --only-binary=:all: -d "$BUNDLE/tmp" nvidia-libnvcomp-cu13
python3 - "$BUNDLE" <<'PY'
import glob, lzma, sys, zipfile
bundle = sys.argv[1]
wheel = zipfile.ZipFile(glob.glob(f"{bundle}/tmp/nvidia_libnvcomp_cu13-*.whl")[0])
with wheel.open("nvidia/libnvcomp/lib64/libnvcomp.so.6") as src, \
        lzma.open(f"{bundle}/libnvcomp.so.6.xz", "wb", preset=9) as dst:
    dst.write(src.read())
PY
rm -rf "$BUNDLE/tmp"
"${PIP[@]}" --no-deps nvidia-cufile
"${PIP[@]}" zarr numcodecs xarray xbatcher pandas pytest
# Drop what the machine already has (and CUDA wheels it would pull in twice).
rm -f "$BUNDLE"/wheels/numpy-* "$BUNDLE"/wheels/nvidia_cuda_* "$BUNDLE"/wheels/torch-*

du -sh "$BUNDLE"/*
total=$(du -sm "$BUNDLE" | cut -f1)
echo "gpu_prepare: $BUNDLE is ${total} MiB (limit 64 MiB)"
[ "$total" -lt 64 ] || { echo "gpu_prepare: bundle too large" >&2; exit 1; }
