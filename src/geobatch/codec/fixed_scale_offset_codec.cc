#include "geobatch/codec/fixed_scale_offset_codec.h"

#include "geobatch/codec/numeric_filter_codec.h"

namespace geobatch {
namespace {

// A Python number from the configuration. Whether it is an int matters on
// encode: integer elements minus a Python int stay integers (and wrap).
struct PythonScalar {
  nlohmann::json json;
  double value;
  bool is_integer;
  int64_t integer;  // when is_integer; unsigned values past INT64_MAX wrap
};

PythonScalar ReadPythonScalar(const nlohmann::json& json) {
  PythonScalar scalar{json, json.get<double>(), json.is_number_integer(), 0};
  if (json.is_number_unsigned()) {
    scalar.integer = static_cast<int64_t>(json.get<uint64_t>());
  } else if (scalar.is_integer) {
    scalar.integer = json.get<int64_t>();
  }
  return scalar;
}

// The type NumPy computes `array op python_float` in: the array's float type,
// or float64 for integer arrays.
template <typename T>
using FloatFor = std::conditional_t<NumpyFloat<T>, T, double>;

class FixedScaleOffsetCodec final : public NumericFilterCodec {
 public:
  FixedScaleOffsetCodec(NumericDtype dtype, NumericDtype astype, PythonScalar offset,
                        PythonScalar scale)
      : NumericFilterCodec("fixedscaleoffset", dtype, astype),
        offset_(std::move(offset)),
        scale_(std::move(scale)) {}

  nlohmann::json ToJson() const override {
    return CodecJson("numcodecs.fixedscaleoffset", {{"offset", offset_.json},
                                                    {"scale", scale_.json},
                                                    {"dtype", decoded_type().str()},
                                                    {"astype", encoded_type().str()}});
  }

 protected:
  void DecodeElements(const std::byte* encoded, std::byte* decoded, size_t count) const override {
    VisitElements(encoded_type(), encoded, decoded_type(), decoded,
                  [&]<typename Enc, typename Dec>(ElementReader<Enc> in, ElementWriter<Dec> out) {
                    using F = FloatFor<Enc>;
                    const F scale = NumpyCast<F>(scale_.value);
                    const F offset = NumpyCast<F>(offset_.value);
                    for (size_t i = 0; i < count; ++i) {
                      const F x = NumpyAdd(NumpyDiv(NumpyCast<F>(in[i]), scale), offset);
                      out.Set(i, NumpyCast<Dec>(x));
                    }
                  });
  }

  void EncodeElements(const std::byte* decoded, std::byte* encoded, size_t count) const override {
    VisitElements(decoded_type(), decoded, encoded_type(), encoded,
                  [&]<typename Dec, typename Enc>(ElementReader<Dec> in, ElementWriter<Enc> out) {
                    for (size_t i = 0; i < count; ++i) out.Set(i, EncodeOne<Enc>(in[i]));
                  });
  }

 private:
  // np.around((x - offset) * scale).astype(Enc), step by step in the types
  // NumPy picks for each operation.
  template <typename Enc, typename Dec>
  Enc EncodeOne(Dec x) const {
    if constexpr (std::is_integral_v<Dec>) {
      if (offset_.is_integer) {
        const Dec shifted = NumpySub(x, NumpyCast<Dec>(offset_.integer));
        if (scale_.is_integer) {
          return NumpyCast<Enc>(NumpyMul(shifted, NumpyCast<Dec>(scale_.integer)));
        }
        return NumpyCast<Enc>(NumpyRint(static_cast<double>(shifted) * scale_.value));
      }
    }
    using F = FloatFor<Dec>;
    const F shifted = NumpySub(NumpyCast<F>(x), NumpyCast<F>(offset_.value));
    return NumpyCast<Enc>(NumpyRint(NumpyMul(shifted, NumpyCast<F>(scale_.value))));
  }

  PythonScalar offset_;
  PythonScalar scale_;
};

}  // namespace

std::shared_ptr<const BytesToBytesCodec> MakeFixedScaleOffsetCodecNumcodecs(
    const nlohmann::json& object, const CodecContext&) {
  CodecConfig config("fixedscaleoffset", object);
  const NumericDtype dtype = ParseNumericDtype(config, "dtype");
  const NumericDtype astype = config.Has("astype") ? ParseNumericDtype(config, "astype") : dtype;
  return std::make_shared<FixedScaleOffsetCodec>(dtype, astype,
                                                 ReadPythonScalar(config.Number("offset")),
                                                 ReadPythonScalar(config.Number("scale")));
}

}  // namespace geobatch
