// Registers the bytes->bytes codecs: compressors, the crc32c checksum and
// the numcodecs filters of Zarr v2, under their v3 names and numcodecs ids.
#include "geobatch/codec/astype_codec.h"
#include "geobatch/codec/blosc_codec.h"
#include "geobatch/codec/bz2_codec.h"
#include "geobatch/codec/codec_registry.h"
#include "geobatch/codec/crc32c_codec.h"
#include "geobatch/codec/deflate_codec.h"
#include "geobatch/codec/delta_codec.h"
#include "geobatch/codec/fixed_scale_offset_codec.h"
#include "geobatch/codec/lz4_codec.h"
#include "geobatch/codec/shuffle_codec.h"
#include "geobatch/codec/zstd_codec.h"

namespace geobatch {

void RegisterCompressionCodecs(CodecRegistry& registry) {
  registry.RegisterV3("blosc", MakeBloscCodecV3);
  registry.RegisterV3("zstd", MakeZstdCodecV3);
  registry.RegisterV3("gzip", MakeGzipCodecV3);
  registry.RegisterV3("crc32c", MakeCrc32cCodecV3);

  registry.RegisterNumcodecs("blosc", MakeBloscCodecNumcodecs);
  registry.RegisterNumcodecs("zstd", MakeZstdCodecNumcodecs);
  registry.RegisterNumcodecs("gzip", MakeGzipCodecNumcodecs);
  registry.RegisterNumcodecs("zlib", MakeZlibCodecNumcodecs);
  registry.RegisterNumcodecs("lz4", MakeLz4CodecNumcodecs);
  registry.RegisterNumcodecs("bz2", MakeBz2CodecNumcodecs);
  registry.RegisterNumcodecs("crc32c", MakeCrc32cCodecNumcodecs);
  registry.RegisterNumcodecs("shuffle", MakeShuffleCodecNumcodecs);
  registry.RegisterNumcodecs("delta", MakeDeltaCodecNumcodecs);
  registry.RegisterNumcodecs("fixedscaleoffset", MakeFixedScaleOffsetCodecNumcodecs);
  registry.RegisterNumcodecs("astype", MakeAstypeCodecNumcodecs);
}

}  // namespace geobatch
