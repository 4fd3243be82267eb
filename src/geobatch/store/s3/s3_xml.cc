#include "geobatch/store/s3/s3_xml.h"

#include <charconv>

#include "geobatch/util/error.h"

namespace geobatch {
namespace {

// Appends code point `c` as UTF-8.
void AppendUtf8(std::string& out, uint32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

std::string DecodeXmlText(std::string_view text) {
  static constexpr std::pair<std::string_view, char> kNamed[] = {
      {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}};
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const size_t semi = text[i] == '&' ? text.find(';', i) : std::string_view::npos;
    if (semi == std::string_view::npos) {
      out += text[i];
      continue;
    }
    const std::string_view name = text.substr(i + 1, semi - i - 1);
    bool decoded = false;
    if (name.size() > 1 && name[0] == '#') {
      const bool hex = name[1] == 'x' || name[1] == 'X';
      const std::string_view digits = name.substr(hex ? 2 : 1);
      uint32_t code = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), code, hex ? 16 : 10);
      if (ec == std::errc() && end == digits.data() + digits.size() && code <= 0x10FFFF) {
        AppendUtf8(out, code);
        decoded = true;
      }
    } else {
      for (const auto& [entity, c] : kNamed) {
        if (name == entity) {
          out += c;
          decoded = true;
        }
      }
    }
    if (decoded) {
      i = semi;
    } else {
      out += text[i];
    }
  }
  return out;
}

// The raw inner text of each <tag>...</tag>, not decoded.
std::vector<std::string_view> RawElements(std::string_view xml, std::string_view tag) {
  std::vector<std::string_view> out;
  const std::string open = std::string("<").append(tag);
  const std::string close = std::string("</").append(tag).append(">");
  for (size_t pos = xml.find(open); pos != std::string_view::npos; pos = xml.find(open, pos + 1)) {
    const size_t after = pos + open.size();
    if (after >= xml.size()) break;
    const char next = xml[after];
    if (next != '>' && next != ' ' && next != '/') continue;  // a longer tag name
    const size_t end_of_open = xml.find('>', after);
    if (end_of_open == std::string_view::npos) break;
    if (xml[end_of_open - 1] == '/') {
      out.push_back({});
      continue;
    }
    const size_t end = xml.find(close, end_of_open + 1);
    if (end == std::string_view::npos) break;
    out.push_back(xml.substr(end_of_open + 1, end - end_of_open - 1));
    pos = end;
  }
  return out;
}

std::string FirstText(std::string_view xml, std::string_view tag) {
  const auto texts = RawElements(xml, tag);
  return texts.empty() ? "" : DecodeXmlText(texts.front());
}

}  // namespace

ListObjectsPage ParseListObjectsV2(std::string_view xml) {
  if (RawElements(xml, "ListBucketResult").empty()) {
    throw CorruptError("the listing response is not a ListBucketResult: " + std::string(xml.substr(0, 200)));
  }
  ListObjectsPage page;
  for (std::string_view contents : RawElements(xml, "Contents")) page.keys.push_back(FirstText(contents, "Key"));
  for (std::string_view common : RawElements(xml, "CommonPrefixes")) {
    page.common_prefixes.push_back(FirstText(common, "Prefix"));
  }
  if (FirstText(xml, "IsTruncated") == "true") {
    page.next_continuation_token = FirstText(xml, "NextContinuationToken");
    if (page.next_continuation_token.empty()) {
      throw CorruptError("a truncated listing page without NextContinuationToken");
    }
  }
  return page;
}

std::optional<S3ErrorDocument> ParseS3Error(std::string_view xml) {
  const auto errors = RawElements(xml, "Error");
  if (errors.empty()) return std::nullopt;
  return S3ErrorDocument{FirstText(errors.front(), "Code"), FirstText(errors.front(), "Message")};
}

}  // namespace geobatch
