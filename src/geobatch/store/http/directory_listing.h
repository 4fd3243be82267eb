// Directory listings of plain web servers: the links of an HTML index page
// (nginx and Apache autoindex, Python's http.server) read as the names one
// level below a key prefix. Only relative links to direct children count;
// parent links, absolute links, queries (sort orders) and fragments do not.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace geobatch {

struct ListedName {
  std::string name;  // decoded, without a trailing '/'
  bool is_directory;
};

std::vector<ListedName> ParseDirectoryListing(std::string_view html);

}  // namespace geobatch
