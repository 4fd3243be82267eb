#include "geobatch/store/http/open_remote_store.h"

#include "geobatch/store/http/http_store.h"
#include "geobatch/store/http/url.h"
#include "geobatch/store/s3/s3_store.h"
#include "geobatch/util/error.h"

namespace geobatch {
namespace {

std::string_view SchemeOf(std::string_view url) {
  const size_t colon = url.find("://");
  return colon == std::string_view::npos ? std::string_view() : url.substr(0, colon);
}

}  // namespace

std::shared_ptr<Store> OpenRemoteStore(std::string_view url, const RemoteOptions& options) {
  const std::string_view scheme = SchemeOf(url);
  if (scheme == "http" || scheme == "https") return HttpStore::Open(url, options);
  if (scheme == "s3") return S3Store::OpenS3(url, options);
  if (scheme == "gs") return S3Store::OpenGcs(url, options);
  throw InvalidArgumentError("'" + RedactUrl(url) + "' is not an http(s)://, s3:// or gs:// URL");
}

}  // namespace geobatch
