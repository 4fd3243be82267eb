// What the caches of the remote stores hold for one (URL, byte range): the
// bytes with the ETag of the object they came from, or the fact that the
// object does not exist (so that a missing chunk is not asked for again).
#pragma once

#include <string>

#include "geobatch/util/buffer.h"

namespace geobatch {

struct CachedValue {
  bool absent = false;
  std::string etag;  // the entity tag (RFC 9110 section 8.8.3) of the object, "" when unknown
  Buffer bytes;
};

}  // namespace geobatch
