// The common part of the numcodecs filters that map elements of one numeric
// dtype to another (delta, fixedscaleoffset, astype). They run as
// bytes->bytes codecs that carry their own dtypes, byte order included, as
// Zarr v2 filters do: the decoded bytes are elements of the filter's decoded
// dtype in its byte order, the encoded bytes elements of its encoded dtype.
// https://numcodecs.readthedocs.io/en/stable/filter/index.html
#pragma once

#include <cstring>
#include <string>
#include <string_view>

#include "geobatch/codec/bounded_decode.h"
#include "geobatch/codec/codec_config.h"
#include "geobatch/codec/numpy_cast.h"

namespace geobatch {

// An integer or float NumPy dtype with its byte order ("<i4", ">f8", "|u1").
struct NumericDtype {
  DataType dtype;
  Endian endian;

  size_t size() const { return dtype.size(); }
  std::string str() const;  // NumPy's spelling
};

// Reads `key` of `config` as a NumPy dtype string; anything but an integer or
// float type is an InvalidArgumentError.
NumericDtype ParseNumericDtype(const CodecConfig& config, std::string_view key);

template <typename U>
U ByteSwap(U v) {
  if constexpr (sizeof(U) == 1) {
    return v;
  } else if constexpr (sizeof(U) == 2) {
    return __builtin_bswap16(v);
  } else if constexpr (sizeof(U) == 4) {
    return __builtin_bswap32(v);
  } else {
    return __builtin_bswap64(v);
  }
}

template <size_t kSize>
using UnsignedOfSize = std::tuple_element_t<std::countr_zero(kSize),
                                            std::tuple<uint8_t, uint16_t, uint32_t, uint64_t>>;

// Elements of T stored unaligned in a given byte order.
template <typename T>
class ElementReader {
 public:
  ElementReader(const std::byte* data, Endian endian)
      : data_(data), swap_(endian != kNativeEndian) {}
  T operator[](size_t i) const {
    UnsignedOfSize<sizeof(T)> bits;
    std::memcpy(&bits, data_ + i * sizeof(T), sizeof(T));
    return std::bit_cast<T>(swap_ ? ByteSwap(bits) : bits);
  }

 private:
  const std::byte* data_;
  bool swap_;
};

template <typename T>
class ElementWriter {
 public:
  ElementWriter(std::byte* data, Endian endian) : data_(data), swap_(endian != kNativeEndian) {}
  void Set(size_t i, T value) const {
    auto bits = std::bit_cast<UnsignedOfSize<sizeof(T)>>(value);
    if (swap_) bits = ByteSwap(bits);
    std::memcpy(data_ + i * sizeof(T), &bits, sizeof(T));
  }

 private:
  std::byte* data_;
  bool swap_;
};

// Calls kernel(ElementReader<In>, ElementWriter<Out>) with the C++ types of
// `in_type` and `out_type`: one instantiation of the kernel per type pair.
template <typename Kernel>
void VisitElements(const NumericDtype& in_type, const std::byte* in, const NumericDtype& out_type,
                   std::byte* out, Kernel&& kernel) {
  VisitNumeric(in_type.dtype.id, [&]<typename In>(std::type_identity<In>) {
    VisitNumeric(out_type.dtype.id, [&]<typename Out>(std::type_identity<Out>) {
      kernel(ElementReader<In>(in, in_type.endian), ElementWriter<Out>(out, out_type.endian));
    });
  });
}

class NumericFilterCodec : public SizedBytesToBytesCodec {
 public:
  NumericFilterCodec(std::string_view name, NumericDtype decoded_type, NumericDtype encoded_type)
      : name_(name), decoded_type_(decoded_type), encoded_type_(encoded_type) {}

  void DecodeInto(std::span<const std::byte> encoded, std::span<std::byte> out) const final;
  Buffer Encode(std::span<const std::byte> decoded) const final;

 protected:
  std::string_view codec_name() const final { return name_; }
  uint64_t DecodedSize(std::span<const std::byte> encoded) const final;

  // Convert `count` elements; the buffer sizes have been checked.
  virtual void DecodeElements(const std::byte* encoded, std::byte* decoded, size_t count) const = 0;
  virtual void EncodeElements(const std::byte* decoded, std::byte* encoded, size_t count) const = 0;

  const NumericDtype& decoded_type() const { return decoded_type_; }
  const NumericDtype& encoded_type() const { return encoded_type_; }

 private:
  std::string name_;
  NumericDtype decoded_type_;
  NumericDtype encoded_type_;
};

}  // namespace geobatch
