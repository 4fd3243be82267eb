#include "geobatch/store/http/digest.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "geobatch/util/error.h"

namespace geobatch {

Sha256Digest Sha256(std::string_view data) {
  Sha256Digest out;
  unsigned int size = 0;
  if (!EVP_Digest(data.data(), data.size(), out.data(), &size, EVP_sha256(), nullptr) || size != out.size()) {
    throw InternalError("SHA-256 failed");
  }
  return out;
}

Sha256Digest HmacSha256(std::string_view key, std::string_view data) {
  Sha256Digest out;
  unsigned int size = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &size) ||
      size != out.size()) {
    throw InternalError("HMAC-SHA256 failed");
  }
  return out;
}

std::string Hex(const Sha256Digest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (uint8_t byte : digest) {
    out += kHex[byte >> 4];
    out += kHex[byte & 15];
  }
  return out;
}

}  // namespace geobatch
