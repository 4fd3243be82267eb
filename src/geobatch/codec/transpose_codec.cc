#include "geobatch/codec/transpose_codec.h"

#include <cstring>
#include <numeric>

#include "geobatch/util/error.h"

namespace geobatch {
namespace {

// Copies `src` (C order over src_shape) to `dst` so that dst dimension i is
// src dimension perm[i].
void Permute(const std::byte* src, const std::vector<uint64_t>& src_shape,
             const std::vector<size_t>& perm, std::byte* dst, size_t elem_size) {
  const size_t rank = src_shape.size();
  std::vector<uint64_t> src_strides(rank);
  uint64_t stride = elem_size, total = 1;
  for (size_t d = rank; d-- > 0;) {
    src_strides[d] = stride;
    stride *= src_shape[d];
    total *= src_shape[d];
  }
  if (total == 0) return;
  // Walk dst in C order; dst dim i advances src along src dim perm[i].
  std::vector<uint64_t> dst_shape(rank), step(rank), index(rank, 0);
  for (size_t i = 0; i < rank; ++i) {
    dst_shape[i] = src_shape[perm[i]];
    step[i] = src_strides[perm[i]];
  }
  uint64_t offset = 0;
  for (uint64_t n = 0; n < total; ++n) {
    std::memcpy(dst + n * elem_size, src + offset, elem_size);
    for (size_t d = rank; d-- > 0;) {
      offset += step[d];
      if (++index[d] < dst_shape[d]) break;
      offset -= step[d] * dst_shape[d];
      index[d] = 0;
    }
  }
}

std::vector<size_t> Inverse(const std::vector<size_t>& perm) {
  std::vector<size_t> inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) inverse[perm[i]] = i;
  return inverse;
}

}  // namespace

TransposeCodec::TransposeCodec(std::vector<size_t> order) : order_(std::move(order)) {}

std::shared_ptr<const TransposeCodec> TransposeCodec::FromJson(const nlohmann::json& configuration,
                                                               size_t rank) {
  if (!configuration.is_object() || !configuration.contains("order")) {
    throw InvalidArgumentError("transpose codec: configuration needs 'order'");
  }
  const auto& order_json = configuration["order"];
  std::vector<size_t> order(rank);
  std::iota(order.begin(), order.end(), 0);
  if (order_json == "F") {
    std::reverse(order.begin(), order.end());
  } else if (order_json != "C") {
    if (!order_json.is_array() || order_json.size() != rank) {
      throw InvalidArgumentError("transpose codec: 'order' must list " + std::to_string(rank) +
                                 " dimensions, got " + order_json.dump());
    }
    std::vector<bool> seen(rank, false);
    for (size_t i = 0; i < rank; ++i) {
      if (!order_json[i].is_number_integer() || order_json[i].get<int64_t>() < 0 ||
          order_json[i].get<uint64_t>() >= rank ||
          seen[order_json[i].get<size_t>()]) {
        throw InvalidArgumentError("transpose codec: 'order' is not a permutation: " +
                                   order_json.dump());
      }
      order[i] = order_json[i].get<size_t>();
      seen[order[i]] = true;
    }
  }
  return std::make_shared<TransposeCodec>(std::move(order));
}

nlohmann::json TransposeCodec::ToJson() const { return CodecJson("transpose", {{"order", order_}}); }

ChunkLayout TransposeCodec::EncodedLayout(const ChunkLayout& decoded) const {
  ChunkLayout encoded{decoded.dtype, std::vector<uint64_t>(order_.size())};
  for (size_t i = 0; i < order_.size(); ++i) encoded.shape[i] = decoded.shape[order_[i]];
  return encoded;
}

void TransposeCodec::Decode(std::span<const std::byte> encoded, const ChunkLayout& decoded,
                            std::span<std::byte> out) const {
  if (encoded.size() != out.size()) {
    throw CorruptError("transpose: got " + std::to_string(encoded.size()) + " bytes, expected " +
                       std::to_string(out.size()));
  }
  Permute(encoded.data(), EncodedLayout(decoded).shape, Inverse(order_), out.data(),
          decoded.dtype.size());
}

Buffer TransposeCodec::Encode(std::span<const std::byte> decoded, const ChunkLayout& layout) const {
  Buffer out(decoded.size());
  Permute(decoded.data(), layout.shape, order_, out.data(), layout.dtype.size());
  return out;
}

}  // namespace geobatch
