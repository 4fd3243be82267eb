#include "geobatch/store/http/http_store.h"

#include <algorithm>

#include "geobatch/store/http/url.h"
#include "geobatch/util/error.h"

namespace geobatch {

std::shared_ptr<HttpStore> HttpStore::Open(std::string_view url, const RemoteOptions& options) {
  if (url.find_first_of("?#") != std::string_view::npos) {
    throw InvalidArgumentError("'" + RedactUrl(url) + "': store URLs take no query or fragment");
  }
  SplitUrl(url);  // refuses URLs without a host
  return std::make_shared<HttpStore>(std::string(url), options);
}

HttpStore::HttpStore(std::string base_url, const RemoteOptions& options)
    : RemoteStore(RedactUrl(base_url), options), base_(std::move(base_url)) {
  while (base_.ends_with('/')) base_.pop_back();
}

std::string HttpStore::ObjectUrl(std::string_view key) const { return base_ + "/" + UriEncode(key, true); }

HttpRequest HttpStore::Prepare(std::string method, std::string url, std::vector<std::string> headers) const {
  return {std::move(method), std::move(url), std::move(headers)};
}

std::vector<ListedName> HttpStore::ReadIndex(std::string_view prefix) {
  HttpRequest request = Prepare("GET", base_ + "/" + UriEncode(prefix, true), {});
  HttpResponse response = Fetch(request);
  if (response.status == 404) return {};
  if (response.status != 200 || response.Header("content-type").find("html") == std::string::npos) {
    throw UnsupportedError("cannot list " + RedactUrl(request.url) + ": the server offers no directory index (" +
                           response.StatusText() + "); open the data through consolidated metadata");
  }
  const auto* text = reinterpret_cast<const char*>(response.body.data());
  return ParseDirectoryListing({text, response.body.size()});
}

std::vector<std::string> HttpStore::ListDir(std::string_view prefix) {
  std::vector<std::string> names;
  for (ListedName& entry : ReadIndex(prefix)) names.push_back(std::move(entry.name));
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> HttpStore::List(std::string_view prefix) {
  std::vector<std::string> keys;
  std::vector<std::string> directories{std::string(prefix)};
  while (!directories.empty()) {
    const std::string directory = std::move(directories.back());
    directories.pop_back();
    for (ListedName& entry : ReadIndex(directory)) {
      if (entry.is_directory) {
        directories.push_back(directory + entry.name + "/");
      } else {
        keys.push_back(directory + entry.name);
      }
    }
  }
  return keys;
}

}  // namespace geobatch
