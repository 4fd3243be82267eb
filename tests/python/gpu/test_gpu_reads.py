"""Windows read into GPU memory, decoded on the GPU (nvCOMP) or on the CPU,
equal the CPU reads bit for bit, for data written by zarr-python."""

from __future__ import annotations

import numpy as np
import pytest

import geobatch
import geobatch.gpu as gbgpu
from conftest import requires_gpu, requires_nvcomp

zarr = pytest.importorskip("zarr")
numcodecs = pytest.importorskip("numcodecs")

SHAPE, CHUNKS, EXTENT = (30, 20, 16), (8, 6, 5), (9, 7, 6)


def write(tmp_path, name, zarr_format, compressors, shards=None):
    data = np.random.default_rng(5).standard_normal(SHAPE).astype(np.float32)
    kwargs = dict(shape=SHAPE, chunks=CHUNKS, dtype="float32", zarr_format=zarr_format, fill_value=-3.0)
    if shards:
        kwargs["shards"] = shards
    array = zarr.create_array(store=str(tmp_path / name), compressors=compressors, **kwargs)
    array[...] = data
    array[8:16, 6:12, 5:10] = -3.0  # some chunks are the fill value (not written)
    return geobatch.open_array(str(tmp_path / name))


CODECS = {
    "zstd": (3, [zarr.codecs.ZstdCodec(level=3)], True),
    "gzip": (3, [zarr.codecs.GzipCodec(level=5)], True),
    "zlib": (2, [numcodecs.Zlib(level=1)], True),
    "lz4": (2, [numcodecs.LZ4()], True),
    "none": (3, None, True),
    "blosc": (3, [zarr.codecs.BloscCodec(cname="lz4", clevel=5, shuffle="shuffle")], False),
}


def windows():
    rng = np.random.default_rng(9)
    return np.stack([rng.integers(0, s - e + 1, 40) for s, e in zip(SHAPE, EXTENT)], axis=1)


@requires_gpu
@pytest.mark.parametrize("codec", sorted(CODECS))
@pytest.mark.parametrize("decode", ["auto", "cpu"])
def test_gpu_reads_equal_cpu_reads(tmp_path, codec, decode):
    zarr_format, compressors, on_gpu = CODECS[codec]
    if decode == "auto" and on_gpu and gbgpu.nvcomp_error() and codec != "none":
        pytest.skip(gbgpu.nvcomp_error())
    array = write(tmp_path, codec, zarr_format, compressors)
    origins = windows()
    expected = array.read_windows(origins, EXTENT)
    reader = gbgpu.DeviceReader(decode=decode)
    got = reader.read(array, origins, EXTENT)
    assert reader.reader(array).decodes_on_gpu == (decode == "auto" and on_gpu)
    cupy = pytest.importorskip("cupy")
    assert cupy.asnumpy(cupy.from_dlpack(got)).tobytes() == expected.tobytes()


@requires_nvcomp
def test_sharded_arrays_decode_inner_chunks_on_the_gpu(tmp_path):
    array = write(tmp_path, "sharded", 3, [zarr.codecs.ZstdCodec(level=1)], shards=(16, 12, 10))
    origins = windows()
    reader = gbgpu.DeviceReader(decode="gpu")
    cupy = pytest.importorskip("cupy")
    got = cupy.asnumpy(cupy.from_dlpack(reader.read(array, origins, EXTENT)))
    assert got.tobytes() == array.read_windows(origins, EXTENT).tobytes()


@requires_gpu
def test_decode_gpu_refuses_blosc_saying_why(tmp_path):
    array = write(tmp_path, "blosc", 3, CODECS["blosc"][1])
    with pytest.raises(geobatch.UnsupportedError, match="blosc"):
        gbgpu.DeviceReader(decode="gpu").read(array, windows()[:1], EXTENT)


@requires_gpu
@pytest.mark.parametrize("io", ["auto", "compat"])
def test_read_file_to_gpu(tmp_path, io):
    payload = np.random.default_rng(4).integers(0, 256, (9 << 20) + 5, dtype=np.uint8)
    path = tmp_path / "blob.bin"
    payload.tofile(path)
    cupy = pytest.importorskip("cupy")
    got = cupy.asnumpy(cupy.from_dlpack(gbgpu.read_file(path, offset=11, length=payload.size - 20, io=io)))
    np.testing.assert_array_equal(got, payload[11:-9])
