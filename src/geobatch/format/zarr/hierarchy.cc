#include "geobatch/format/zarr/hierarchy.h"

#include <set>

#include "geobatch/format/zarr/array_metadata.h"
#include "geobatch/util/error.h"

namespace geobatch {
namespace {

std::string Join(const std::string& path, const std::string& name) {
  if (path.empty()) return name;
  if (name.empty()) return path;
  return path + "/" + name;
}

// A metadata document: absent, or a JSON object (anything else is corrupt).
std::optional<nlohmann::json> GetJson(Store& store, const std::string& key) {
  auto bytes = store.Get(key);
  if (!bytes) return std::nullopt;
  auto json = ParseJson({reinterpret_cast<const char*>(bytes->data()), bytes->size()}, key);
  if (!json.is_object()) throw CorruptError(key + " must hold a JSON object");
  return json;
}

// Reads the documents of the node at `path` from the store itself.
std::optional<NodeDocument> ReadDocument(Store& store, const std::string& path) {
  if (auto json = GetJson(store, Join(path, "zarr.json"))) {
    const std::string type = json->value("node_type", "");
    if (type != "array" && type != "group") {
      throw InvalidArgumentError(Join(path, "zarr.json") + ": node_type must be 'array' or 'group'");
    }
    return NodeDocument{type == "array", 3, std::move(*json), {}};
  }
  if (auto zarray = GetJson(store, Join(path, ".zarray"))) {
    return NodeDocument{true, 2, std::move(*zarray),
                        GetJson(store, Join(path, ".zattrs")).value_or(nlohmann::json())};
  }
  if (auto zgroup = GetJson(store, Join(path, ".zgroup"))) {
    return NodeDocument{false, 2, std::move(*zgroup),
                        GetJson(store, Join(path, ".zattrs")).value_or(nlohmann::json())};
  }
  return std::nullopt;
}

// The consolidated documents a group's metadata carries, if any.
std::shared_ptr<const ConsolidatedNodes> FindConsolidated(Store& store, const std::string& path,
                                                          const NodeDocument& group) {
  auto nodes = std::make_shared<ConsolidatedNodes>();
  if (group.zarr_format == 3) {
    const auto& meta = group.metadata;
    if (!meta.contains("consolidated_metadata") || !meta["consolidated_metadata"].is_object()) {
      return nullptr;
    }
    const auto& entries = meta["consolidated_metadata"].value("metadata", nlohmann::json());
    if (!entries.is_object()) return nullptr;
    for (const auto& [child, doc] : entries.items()) {
      if (!doc.is_object()) throw CorruptError("consolidated metadata for '" + child + "' is not an object");
      (*nodes)[child] = NodeDocument{doc.value("node_type", "") == "array", 3, doc, {}};
    }
    return nodes;
  }
  auto zmetadata = GetJson(store, Join(path, ".zmetadata"));
  if (!zmetadata || !zmetadata->contains("metadata") || !(*zmetadata)["metadata"].is_object()) {
    return nullptr;
  }
  const auto& entries = (*zmetadata)["metadata"];
  for (const auto& [key, doc] : entries.items()) {
    const size_t slash = key.rfind('/');
    const std::string node = slash == std::string::npos ? "" : key.substr(0, slash);
    const std::string file = key.substr(slash == std::string::npos ? 0 : slash + 1);
    if (node.empty()) continue;  // the group itself
    if (file == ".zarray" || file == ".zgroup") {
      NodeDocument& entry = (*nodes)[node];
      entry.is_array = file == ".zarray";
      entry.zarr_format = 2;
      entry.metadata = doc;
    }
  }
  for (auto& [node, entry] : *nodes) {
    const std::string attrs_key = node + "/.zattrs";
    if (entries.contains(attrs_key)) entry.attributes = entries[attrs_key];
  }
  return nodes;
}

ZarrNode MakeNode(std::shared_ptr<Store> store, const std::string& path, NodeDocument document,
                  std::shared_ptr<const ConsolidatedNodes> consolidated) {
  if (document.is_array) {
    const std::string where = path.empty() ? "array at the store root" : "array '" + path + "'";
    try {
      ArrayMetadata meta = document.zarr_format == 3
                               ? ParseArrayMetadataV3(document.metadata)
                               : ParseArrayMetadataV2(document.metadata, document.attributes);
      return {std::make_shared<ZarrArray>(std::move(store), path, std::move(meta)), nullptr};
    } catch (const Error& e) {
      throw WithContext(e, where);
    } catch (const nlohmann::json::exception& e) {
      // A field of the wrong JSON type somewhere in the document.
      throw InvalidArgumentError(where + ": malformed metadata: " + e.what());
    }
  }
  if (document.zarr_format == 3) {
    RefuseUnknownExtensions(document.metadata,
                            {"zarr_format", "node_type", "attributes", "consolidated_metadata"});
  }
  if (!consolidated) consolidated = FindConsolidated(*store, path, document);
  return {nullptr, std::make_shared<ZarrGroup>(std::move(store), path, std::move(document),
                                               std::move(consolidated))};
}

}  // namespace

ZarrGroup::ZarrGroup(std::shared_ptr<Store> store, std::string path, NodeDocument document,
                     std::shared_ptr<const ConsolidatedNodes> consolidated)
    : store_(std::move(store)),
      path_(std::move(path)),
      document_(std::move(document)),
      consolidated_(std::move(consolidated)) {
  attributes_ = document_.zarr_format == 3
                    ? document_.metadata.value("attributes", nlohmann::json::object())
                    : (document_.attributes.is_object() ? document_.attributes
                                                        : nlohmann::json::object());
}

std::vector<std::string> ZarrGroup::ChildNames() const {
  std::set<std::string> names;
  if (consolidated_) {
    for (const auto& [relative, doc] : *consolidated_) {
      if (relative.find('/') == std::string::npos) names.insert(relative);
    }
  } else {
    const std::string prefix = path_.empty() ? "" : path_ + "/";
    for (const std::string& name : store_->ListDir(prefix)) {
      if (name.starts_with(".") || name == "zarr.json") continue;
      if (ReadDocument(*store_, Join(path_, name))) names.insert(name);
    }
  }
  return {names.begin(), names.end()};
}

ZarrNode ZarrGroup::Open(const std::string& relative_path) const {
  const std::string path = Join(path_, relative_path);
  if (relative_path.empty()) {
    return {nullptr, std::make_shared<ZarrGroup>(store_, path_, document_, consolidated_)};
  }
  ValidateKey(path);
  if (consolidated_) {
    auto it = consolidated_->find(relative_path);
    if (it == consolidated_->end()) throw NotFoundError("no array or group '" + path + "' in " + store_->url());
    // Descendant groups see the consolidated entries below them.
    auto below = std::make_shared<ConsolidatedNodes>();
    const std::string prefix = relative_path + "/";
    for (const auto& [relative, doc] : *consolidated_) {
      if (relative.starts_with(prefix)) (*below)[relative.substr(prefix.size())] = doc;
    }
    return MakeNode(store_, path, it->second, std::move(below));
  }
  auto document = ReadDocument(*store_, path);
  if (!document) throw NotFoundError("no array or group '" + path + "' in " + store_->url());
  return MakeNode(store_, path, std::move(*document), nullptr);
}

ZarrNode OpenZarrNode(std::shared_ptr<Store> store, const std::string& path) {
  auto root = ReadDocument(*store, "");
  if (root && !root->is_array) {
    ZarrNode node = MakeNode(store, "", std::move(*root), nullptr);
    return node.group->Open(path);
  }
  if (path.empty()) {
    if (!root) throw NotFoundError("no Zarr array or group at " + store->url());
    return MakeNode(store, "", std::move(*root), nullptr);
  }
  ValidateKey(path);
  auto document = ReadDocument(*store, path);
  if (!document) throw NotFoundError("no array or group '" + path + "' in " + store->url());
  return MakeNode(std::move(store), path, std::move(*document), nullptr);
}

}  // namespace geobatch
