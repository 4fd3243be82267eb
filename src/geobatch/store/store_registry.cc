#include "geobatch/store/store_registry.h"

#include <map>
#include <mutex>

#include "geobatch/store/file_store.h"
#include "geobatch/store/http/open_remote_store.h"
#include "geobatch/store/memory_store.h"
#include "geobatch/util/error.h"

namespace geobatch {
namespace {

struct Registry {
  std::mutex mutex;
  std::map<std::string, StoreFactory, std::less<>> factories;

  Registry() {
    factories["file"] = [](std::string_view url) {
      return std::make_shared<FileStore>(std::string(url.substr(7)));
    };
    factories["memory"] = [](std::string_view url) {
      return MemoryStore::Named(std::string(url.substr(9)));
    };
    for (const char* scheme : {"http", "https", "s3", "gs"}) {
      factories[scheme] = [](std::string_view url) { return OpenRemoteStore(url, RemoteOptions::FromEnvironment()); };
    }
  }
};

Registry& TheRegistry() {
  static Registry registry;
  return registry;
}

}  // namespace

void RegisterStoreScheme(const std::string& scheme, StoreFactory factory) {
  Registry& registry = TheRegistry();
  std::lock_guard lock(registry.mutex);
  registry.factories[scheme] = std::move(factory);
}

std::shared_ptr<Store> OpenStore(std::string_view url) {
  const size_t colon = url.find("://");
  if (colon == std::string_view::npos) return std::make_shared<FileStore>(std::string(url));
  const std::string_view scheme = url.substr(0, colon);
  Registry& registry = TheRegistry();
  std::lock_guard lock(registry.mutex);
  auto it = registry.factories.find(scheme);
  if (it == registry.factories.end()) {
    throw InvalidArgumentError("unsupported URL scheme '" + std::string(scheme) + "' in '" +
                               std::string(url) + "'");
  }
  return it->second(url);
}

}  // namespace geobatch
