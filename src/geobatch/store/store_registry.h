// Opens a store from a URL: a plain path or file://PATH, memory://NAME.
// Remote schemes register themselves here as they are added.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "geobatch/store/store.h"

namespace geobatch {

using StoreFactory = std::function<std::shared_ptr<Store>(std::string_view url)>;

// Makes `scheme://...` URLs open through `factory`.
void RegisterStoreScheme(const std::string& scheme, StoreFactory factory);

// Throws InvalidArgumentError for an unknown scheme.
std::shared_ptr<Store> OpenStore(std::string_view url);

}  // namespace geobatch
