// Micro-benchmarks of chunk decoding on realistic float32 data: the
// libraries called directly (the floor any reader pays), then geobatch's
// codec chains decoding the very same bytes (what geobatch pays), so that
// any overhead of geobatch's codec layer shows up as the difference.
//
// The data are a reanalysis-like 2 m temperature chunk like the ones
// bench/make_datacube.py writes: climatology + diurnal cycle + waves +
// N(0, 0.3 K) noise, rounded to 1/256 K (ERA5's GRIB packing step). The
// argument is the number of hours in the chunk: 24 gives the datacube's
// 24 x 91 x 180 chunks (1.57 MB), 1 a small 65 kB chunk.
//
//   codec_micro_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>
#include <blosc.h>
#include <libdeflate.h>
#include <zlib.h>
#include <zstd.h>

#include <cmath>
#include <cstring>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "geobatch/codec/codec_chain.h"

namespace geobatch {
namespace {

constexpr uint64_t kLat = 91, kLon = 180;

std::vector<float> Temperature(uint64_t hours) {
  std::vector<float> values(hours * kLat * kLon);
  std::mt19937_64 rng(42);
  std::normal_distribution<double> noise(0.0, 0.3);
  const double deg = M_PI / 180.0;
  size_t i = 0;
  for (uint64_t t = 0; t < hours; ++t) {
    for (uint64_t y = 0; y < kLat; ++y) {
      const double la = (90.0 - 0.5 * y) * deg;
      for (uint64_t x = 0; x < kLon; ++x) {
        const double lo = 0.5 * x * deg;
        double v = 300.0 - 45.0 * std::sin(la) * std::sin(la) +
                   12.0 * std::sin(la) * std::cos(2 * M_PI * t / (24 * 365)) +
                   4.0 * std::cos(la) * std::cos(lo + 2 * M_PI * t / 24) +
                   3.0 * std::sin(3 * lo - 0.05 * t) * std::cos(2 * la + 0.03 * t) + noise(rng);
        values[i++] = static_cast<float>(std::round(v * 256.0) / 256.0);
      }
    }
  }
  return values;
}

ChunkLayout Layout(uint64_t hours) {
  return {DataTypeFromV3Name("float32"), {hours, kLat, kLon}};
}

const std::map<std::string, nlohmann::json>& ChainJson() {
  static const std::map<std::string, nlohmann::json> chains = {
      {"zstd", nlohmann::json::parse(R"([{"name": "bytes", "configuration": {"endian": "little"}},
          {"name": "zstd", "configuration": {"level": 3, "checksum": false}}])")},
      {"blosc-lz4", nlohmann::json::parse(R"([{"name": "bytes", "configuration": {"endian": "little"}},
          {"name": "blosc", "configuration": {"cname": "lz4", "clevel": 5, "shuffle": "shuffle",
                                              "typesize": 4, "blocksize": 0}}])")},
      {"gzip", nlohmann::json::parse(R"([{"name": "bytes", "configuration": {"endian": "little"}},
          {"name": "gzip", "configuration": {"level": 5}}])")},
      {"none", nlohmann::json::parse(R"([{"name": "bytes", "configuration": {"endian": "little"}}])")},
  };
  return chains;
}

// One encoded chunk per (codec, hours), made once by geobatch's encoder
// (which calls the same libraries, at the same settings, as zarr-python).
struct Encoded {
  std::shared_ptr<const CodecChain> chain;
  Buffer bytes;
  uint64_t decoded_bytes = 0;
};

const Encoded& GetEncoded(const std::string& codec, uint64_t hours) {
  static std::map<std::pair<std::string, uint64_t>, Encoded> cache;
  auto key = std::make_pair(codec, hours);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  CodecContext context;
  context.layout = Layout(hours);
  context.fill_value.resize(4);
  Encoded encoded;
  encoded.chain = CodecChain::FromV3Json(ChainJson().at(codec), context);
  const std::vector<float> values = Temperature(hours);
  encoded.decoded_bytes = values.size() * sizeof(float);
  encoded.bytes = encoded.chain->Encode(
      {reinterpret_cast<const std::byte*>(values.data()), encoded.decoded_bytes});
  return cache.emplace(key, std::move(encoded)).first->second;
}

void Report(benchmark::State& state, const Encoded& encoded) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * encoded.decoded_bytes));
  state.counters["ratio"] = static_cast<double>(encoded.decoded_bytes) / encoded.bytes.size();
}

// --- the libraries, called directly -----------------------------------------

void BM_Library_Zstd(benchmark::State& state) {
  const Encoded& encoded = GetEncoded("zstd", state.range(0));
  std::vector<std::byte> out(encoded.decoded_bytes);
  ZSTD_DCtx* context = ZSTD_createDCtx();
  for (auto _ : state) {
    const size_t n = ZSTD_decompressDCtx(context, out.data(), out.size(), encoded.bytes.data(),
                                         encoded.bytes.size());
    if (ZSTD_isError(n) || n != out.size()) state.SkipWithError("zstd failed");
    benchmark::DoNotOptimize(out.data());
  }
  ZSTD_freeDCtx(context);
  Report(state, encoded);
}

void BM_Library_BloscLz4Shuffle(benchmark::State& state) {
  const Encoded& encoded = GetEncoded("blosc-lz4", state.range(0));
  std::vector<std::byte> out(encoded.decoded_bytes);
  for (auto _ : state) {
    const int n = blosc_decompress_ctx(encoded.bytes.data(), out.data(), out.size(), 1);
    if (n != static_cast<int>(out.size())) state.SkipWithError("blosc failed");
    benchmark::DoNotOptimize(out.data());
  }
  Report(state, encoded);
}

void BM_Library_GzipLibdeflate(benchmark::State& state) {
  const Encoded& encoded = GetEncoded("gzip", state.range(0));
  std::vector<std::byte> out(encoded.decoded_bytes);
  libdeflate_decompressor* decompressor = libdeflate_alloc_decompressor();
  for (auto _ : state) {
    size_t n = 0;
    if (libdeflate_gzip_decompress(decompressor, encoded.bytes.data(), encoded.bytes.size(),
                                   out.data(), out.size(), &n) != LIBDEFLATE_SUCCESS ||
        n != out.size()) {
      state.SkipWithError("libdeflate failed");
    }
    benchmark::DoNotOptimize(out.data());
  }
  libdeflate_free_decompressor(decompressor);
  Report(state, encoded);
}

// zlib's inflate: what numcodecs (and so zarr-python) uses for gzip.
void BM_Library_GzipZlib(benchmark::State& state) {
  const Encoded& encoded = GetEncoded("gzip", state.range(0));
  std::vector<std::byte> out(encoded.decoded_bytes);
  z_stream stream{};
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) throw std::runtime_error("inflateInit2");
  for (auto _ : state) {
    inflateReset(&stream);
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(encoded.bytes.data()));
    stream.avail_in = static_cast<uInt>(encoded.bytes.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    if (inflate(&stream, Z_FINISH) != Z_STREAM_END) state.SkipWithError("inflate failed");
    benchmark::DoNotOptimize(out.data());
  }
  inflateEnd(&stream);
  Report(state, encoded);
}

void BM_Library_Memcpy(benchmark::State& state) {
  const Encoded& encoded = GetEncoded("none", state.range(0));
  std::vector<std::byte> out(encoded.decoded_bytes);
  for (auto _ : state) {
    std::memcpy(out.data(), encoded.bytes.data(), out.size());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  Report(state, encoded);
}

// --- geobatch's codec chains on the same bytes --------------------------------

void BM_Geobatch_Chain(benchmark::State& state, const std::string& codec) {
  const Encoded& encoded = GetEncoded(codec, state.range(0));
  Buffer out(encoded.decoded_bytes);
  std::memset(out.data(), 0, out.size());
  for (auto _ : state) {
    encoded.chain->Decode(encoded.bytes.span(), out.span());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  Report(state, encoded);
}

BENCHMARK(BM_Library_Zstd)->Arg(24)->Arg(1);
BENCHMARK(BM_Library_BloscLz4Shuffle)->Arg(24)->Arg(1);
BENCHMARK(BM_Library_GzipLibdeflate)->Arg(24)->Arg(1);
BENCHMARK(BM_Library_GzipZlib)->Arg(24)->Arg(1);
BENCHMARK(BM_Library_Memcpy)->Arg(24)->Arg(1);
BENCHMARK_CAPTURE(BM_Geobatch_Chain, zstd, std::string("zstd"))->Arg(24)->Arg(1);
BENCHMARK_CAPTURE(BM_Geobatch_Chain, blosc_lz4, std::string("blosc-lz4"))->Arg(24)->Arg(1);
BENCHMARK_CAPTURE(BM_Geobatch_Chain, gzip, std::string("gzip"))->Arg(24)->Arg(1);
BENCHMARK_CAPTURE(BM_Geobatch_Chain, none, std::string("none"))->Arg(24)->Arg(1);

}  // namespace
}  // namespace geobatch

BENCHMARK_MAIN();
