#include "geobatch/codec/astype_codec.h"

#include "geobatch/codec/numeric_filter_codec.h"

namespace geobatch {
namespace {

class AstypeCodec final : public NumericFilterCodec {
 public:
  using NumericFilterCodec::NumericFilterCodec;

  nlohmann::json ToJson() const override {
    return CodecJson("numcodecs.astype", {{"encode_dtype", encoded_type().str()},
                                          {"decode_dtype", decoded_type().str()}});
  }

 protected:
  void DecodeElements(const std::byte* encoded, std::byte* decoded, size_t count) const override {
    Convert(encoded_type(), encoded, decoded_type(), decoded, count);
  }

  void EncodeElements(const std::byte* decoded, std::byte* encoded, size_t count) const override {
    Convert(decoded_type(), decoded, encoded_type(), encoded, count);
  }

 private:
  static void Convert(const NumericDtype& in_type, const std::byte* in,
                      const NumericDtype& out_type, std::byte* out, size_t count) {
    VisitElements(
        in_type, in, out_type, out,
        [count]<typename In, typename Out>(ElementReader<In> from, ElementWriter<Out> to) {
          for (size_t i = 0; i < count; ++i) to.Set(i, NumpyCast<Out>(from[i]));
        });
  }
};

}  // namespace

std::shared_ptr<const BytesToBytesCodec> MakeAstypeCodecNumcodecs(const nlohmann::json& object,
                                                                  const CodecContext&) {
  CodecConfig config("astype", object);
  return std::make_shared<AstypeCodec>("astype", ParseNumericDtype(config, "decode_dtype"),
                                       ParseNumericDtype(config, "encode_dtype"));
}

}  // namespace geobatch
