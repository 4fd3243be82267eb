// A store over plain HTTP(S): key "a/b" of the store at http://host/root is
// http://host/root/a/b, read with GET and Range requests. HTTP has no
// listing of its own: List and ListDir read the server's HTML directory
// index where it offers one (autoindex) and say so clearly where it does not
// -- open such data through consolidated metadata instead.
#pragma once

#include <memory>
#include <string_view>

#include "geobatch/store/http/directory_listing.h"
#include "geobatch/store/http/remote_store.h"

namespace geobatch {

class HttpStore final : public RemoteStore {
 public:
  // `url` is http:// or https://, without query or fragment.
  static std::shared_ptr<HttpStore> Open(std::string_view url, const RemoteOptions& options);

  std::vector<std::string> List(std::string_view prefix) override;
  std::vector<std::string> ListDir(std::string_view prefix) override;

  HttpStore(std::string base_url, const RemoteOptions& options);  // use Open

 protected:
  std::string ObjectUrl(std::string_view key) const override;
  HttpRequest Prepare(std::string method, std::string url, std::vector<std::string> headers) const override;

 private:
  // The entries of the index page of `prefix` ("" or ending in '/').
  std::vector<ListedName> ReadIndex(std::string_view prefix);

  std::string base_;  // without a trailing '/'
};

}  // namespace geobatch
