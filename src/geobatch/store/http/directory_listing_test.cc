#include "geobatch/store/http/directory_listing.h"

#include <gtest/gtest.h>

namespace geobatch {
namespace {

std::vector<std::pair<std::string, bool>> Flatten(const std::vector<ListedName>& names) {
  std::vector<std::pair<std::string, bool>> out;
  for (const auto& entry : names) out.emplace_back(entry.name, entry.is_directory);
  return out;
}

TEST(DirectoryListing, NginxAutoindex) {
  const char* html = R"(<html><head><title>Index of /data/</title></head><body>
<h1>Index of /data/</h1><hr><pre><a href="../">../</a>
<a href="c/">c/</a>                                                 01-Jan-2024 00:00       -
<a href="with%20space">with space</a>                              01-Jan-2024 00:00       6
<a href="zarr.json">zarr.json</a>                                  01-Jan-2024 00:00       2
</pre><hr></body></html>)";
  EXPECT_EQ(Flatten(ParseDirectoryListing(html)),
            (std::vector<std::pair<std::string, bool>>{{"c", true}, {"with space", false}, {"zarr.json", false}}));
}

TEST(DirectoryListing, SkipsSortLinksParentsAbsoluteAndForeignLinks) {
  const char* html = R"(<a href="?C=N;O=D">Name</a><a href="/icons/x.gif">i</a><a href='https://elsewhere/x'>x</a>
<a href="./">.</a><a href="a/b">deep</a><a href="a&amp;b">amp</a><a href="ok">ok</a><a href="ok">again</a>)";
  EXPECT_EQ(Flatten(ParseDirectoryListing(html)),
            (std::vector<std::pair<std::string, bool>>{{"a&b", false}, {"ok", false}}));
}

}  // namespace
}  // namespace geobatch
