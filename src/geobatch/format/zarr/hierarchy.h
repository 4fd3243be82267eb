// Zarr hierarchies: opening a node (array or group) by path, v2 or v3, and
// walking groups. Consolidated metadata (v3 inline "consolidated_metadata",
// v2 ".zmetadata") is used when present, so that opening and listing need
// no further reads.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "geobatch/format/zarr/zarr_array.h"
#include "geobatch/store/store.h"

namespace geobatch {

class ZarrGroup;

// The metadata documents of one node, however they were found.
struct NodeDocument {
  bool is_array = false;
  int zarr_format = 3;
  nlohmann::json metadata;    // zarr.json, .zarray or .zgroup
  nlohmann::json attributes;  // v2 .zattrs (v3 keeps attributes in metadata)
};

// Node documents by path relative to the group that holds them.
using ConsolidatedNodes = std::map<std::string, NodeDocument>;

// Exactly one of the two is set.
struct ZarrNode {
  std::shared_ptr<const ZarrArray> array;
  std::shared_ptr<const ZarrGroup> group;
};

class ZarrGroup {
 public:
  ZarrGroup(std::shared_ptr<Store> store, std::string path, NodeDocument document,
            std::shared_ptr<const ConsolidatedNodes> consolidated);

  const std::string& path() const { return path_; }
  int zarr_format() const { return document_.zarr_format; }
  const nlohmann::json& attributes() const { return attributes_; }
  bool consolidated() const { return consolidated_ != nullptr; }

  // The names of the direct children, sorted.
  std::vector<std::string> ChildNames() const;
  // A descendant by relative path ("a" or "a/b"); NotFoundError if absent.
  ZarrNode Open(const std::string& relative_path) const;

 private:
  std::shared_ptr<Store> store_;
  std::string path_;
  NodeDocument document_;
  nlohmann::json attributes_;
  std::shared_ptr<const ConsolidatedNodes> consolidated_;  // relative to this group
};

// Opens the node at `path` ("" for the store's root).
ZarrNode OpenZarrNode(std::shared_ptr<Store> store, const std::string& path);

}  // namespace geobatch
