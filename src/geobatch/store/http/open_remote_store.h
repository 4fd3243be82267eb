// Opens a remote store by URL scheme with explicit options: http:// and
// https:// (HttpStore), s3:// and gs:// (S3Store). The store registry opens
// the same schemes with RemoteOptions::FromEnvironment().
#pragma once

#include <memory>
#include <string_view>

#include "geobatch/store/http/remote_options.h"
#include "geobatch/store/store.h"

namespace geobatch {

// Throws InvalidArgumentError for other schemes.
std::shared_ptr<Store> OpenRemoteStore(std::string_view url, const RemoteOptions& options);

}  // namespace geobatch
