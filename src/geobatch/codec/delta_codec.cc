#include "geobatch/codec/delta_codec.h"

#include "geobatch/codec/numeric_filter_codec.h"

namespace geobatch {
namespace {

class DeltaCodec final : public NumericFilterCodec {
 public:
  using NumericFilterCodec::NumericFilterCodec;

  nlohmann::json ToJson() const override {
    return CodecJson("numcodecs.delta",
                     {{"dtype", decoded_type().str()}, {"astype", encoded_type().str()}});
  }

 protected:
  void DecodeElements(const std::byte* encoded, std::byte* decoded, size_t count) const override {
    VisitElements(
        encoded_type(), encoded, decoded_type(), decoded,
        [count]<typename Enc, typename Dec>(ElementReader<Enc> in, ElementWriter<Dec> out) {
          using Sum = Promoted<Enc, Dec>;
          Sum sum{};
          for (size_t i = 0; i < count; ++i) {
            const Sum value = NumpyCast<Sum>(in[i]);
            sum = i == 0 ? value : NumpyAdd(sum, value);
            out.Set(i, NumpyCast<Dec>(sum));
          }
        });
  }

  void EncodeElements(const std::byte* decoded, std::byte* encoded, size_t count) const override {
    VisitElements(
        decoded_type(), decoded, encoded_type(), encoded,
        [count]<typename Dec, typename Enc>(ElementReader<Dec> in, ElementWriter<Enc> out) {
          for (size_t i = 0; i < count; ++i) {
            out.Set(i, NumpyCast<Enc>(i == 0 ? in[0] : NumpySub(in[i], in[i - 1])));
          }
        });
  }
};

}  // namespace

std::shared_ptr<const BytesToBytesCodec> MakeDeltaCodecNumcodecs(const nlohmann::json& object,
                                                                 const CodecContext&) {
  CodecConfig config("delta", object);
  const NumericDtype dtype = ParseNumericDtype(config, "dtype");
  const NumericDtype astype = config.Has("astype") ? ParseNumericDtype(config, "astype") : dtype;
  return std::make_shared<DeltaCodec>("delta", dtype, astype);
}

}  // namespace geobatch
