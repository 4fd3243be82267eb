#include "geobatch/store/http/directory_listing.h"

#include <set>

#include "geobatch/store/http/url.h"

namespace geobatch {
namespace {

// Decodes the character references an href may hold (&amp; and friends).
std::string DecodeEntities(std::string_view text) {
  static constexpr std::pair<std::string_view, char> kEntities[] = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}, {"&apos;", '\''}};
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    bool replaced = false;
    for (const auto& [entity, c] : kEntities) {
      if (text.substr(i).starts_with(entity)) {
        out += c;
        i += entity.size() - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced) out += text[i];
  }
  return out;
}

}  // namespace

std::vector<ListedName> ParseDirectoryListing(std::string_view html) {
  std::vector<ListedName> names;
  std::set<std::string> seen;
  for (size_t pos = html.find("href="); pos != std::string_view::npos; pos = html.find("href=", pos + 5)) {
    const size_t open = pos + 5;
    if (open >= html.size() || (html[open] != '"' && html[open] != '\'')) continue;
    const size_t close = html.find(html[open], open + 1);
    if (close == std::string_view::npos) break;
    std::string link = DecodeEntities(html.substr(open + 1, close - open - 1));
    if (link.empty() || link.find_first_of("?#:") != std::string::npos || link.front() == '/') continue;
    const bool is_directory = link.back() == '/';
    if (is_directory) link.pop_back();
    std::string name = PercentDecode(link);
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) continue;
    if (seen.insert(name).second) names.push_back({std::move(name), is_directory});
  }
  return names;
}

}  // namespace geobatch
