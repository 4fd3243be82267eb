// SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104) through OpenSSL, for
// AWS Signature Version 4 and for naming cache files.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace geobatch {

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest Sha256(std::string_view data);
Sha256Digest HmacSha256(std::string_view key, std::string_view data);
std::string Hex(const Sha256Digest& digest);

inline std::string_view AsText(const Sha256Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

}  // namespace geobatch
