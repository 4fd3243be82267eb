// `geobatch info`: describes every node of a hierarchy, as text or JSON.
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "geobatch/format/zarr/hierarchy.h"
#include "geobatch/store/store_registry.h"
#include "geobatch/util/error.h"

namespace geobatch::cli {
namespace {

nlohmann::json DescribeArray(const ZarrArray& array) {
  const ArrayMetadata& meta = array.metadata();
  nlohmann::json out = {{"node_type", "array"},
                        {"path", array.path()},
                        {"zarr_format", meta.zarr_format},
                        {"shape", meta.shape},
                        {"chunks", array.read_chunk_shape()},
                        {"dtype", meta.dtype.numpy_str()},
                        {"fill_value", meta.fill_value_json},
                        {"codecs", meta.codecs->ToJson()},
                        {"attributes", meta.attributes}};
  if (const auto shards = array.shard_shape()) out["shards"] = *shards;
  if (meta.dimension_names) {
    nlohmann::json names = nlohmann::json::array();
    for (const auto& name : *meta.dimension_names) names.push_back(name ? nlohmann::json(*name) : nlohmann::json());
    out["dimension_names"] = names;
  }
  return out;
}

nlohmann::json Describe(const ZarrNode& node) {
  if (node.array) return DescribeArray(*node.array);
  const ZarrGroup& group = *node.group;
  nlohmann::json children = nlohmann::json::array();
  for (const std::string& name : group.ChildNames()) children.push_back(Describe(group.Open(name)));
  return {{"node_type", "group"},         {"path", group.path()},
          {"zarr_format", group.zarr_format()}, {"consolidated", group.consolidated()},
          {"attributes", group.attributes()},   {"children", children}};
}

std::string Join(const nlohmann::json& list, const char* separator) {
  std::string out;
  for (const auto& v : list) {
    if (!out.empty()) out += separator;
    out += v.is_string() ? v.get<std::string>() : v.dump();
  }
  return out;
}

void PrintText(const nlohmann::json& node, const std::string& indent) {
  const std::string name = node["path"].get<std::string>().empty() ? "/" : node["path"].get<std::string>();
  if (node["node_type"] == "group") {
    std::printf("%s%s (group, zarr v%d%s)\n", indent.c_str(), name.c_str(), node["zarr_format"].get<int>(),
                node["consolidated"].get<bool>() ? ", consolidated" : "");
  } else {
    std::printf("%s%s (array, zarr v%d)\n", indent.c_str(), name.c_str(), node["zarr_format"].get<int>());
    std::printf("%s  shape: (%s)  chunks: (%s)", indent.c_str(), Join(node["shape"], ", ").c_str(),
                Join(node["chunks"], ", ").c_str());
    if (node.contains("shards")) std::printf("  shards: (%s)", Join(node["shards"], ", ").c_str());
    std::printf("\n%s  dtype: %s  fill_value: %s\n", indent.c_str(), node["dtype"].get<std::string>().c_str(),
                node["fill_value"].dump().c_str());
    nlohmann::json names = nlohmann::json::array();
    for (const auto& codec : node["codecs"]) names.push_back(codec["name"]);
    std::printf("%s  codecs: %s\n", indent.c_str(), Join(names, " -> ").c_str());
    if (node.contains("dimension_names")) {
      std::printf("%s  dimensions: (%s)\n", indent.c_str(), Join(node["dimension_names"], ", ").c_str());
    }
  }
  if (!node["attributes"].empty()) {
    std::printf("%s  attributes: %s\n", indent.c_str(), node["attributes"].dump().c_str());
  }
  if (node.contains("children")) {
    for (const auto& child : node["children"]) PrintText(child, indent + "  ");
  }
}

}  // namespace

int InfoCommand(const std::vector<std::string>& args) {
  const ParsedArgs parsed = ParseArgs(args, {"--json"}, {"--path"});
  if (parsed.positional.size() != 1) throw InvalidArgumentError("info takes exactly one URL");
  const std::string* path = parsed.Get("--path");
  const nlohmann::json description =
      Describe(OpenZarrNode(OpenStore(parsed.positional[0]), path ? *path : ""));
  if (parsed.Has("--json")) {
    std::cout << description.dump(2) << "\n";
  } else {
    PrintText(description, "");
  }
  return 0;
}

}  // namespace geobatch::cli
