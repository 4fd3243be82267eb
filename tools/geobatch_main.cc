// geobatch: inspect and read Zarr stores from the command line.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "commands.h"
#include "geobatch/util/error.h"

namespace geobatch::cli {

const std::string* ParsedArgs::Get(const std::string& name) const {
  for (const auto& [key, value] : options) {
    if (key == name) return &value;
  }
  return nullptr;
}

ParsedArgs ParseArgs(const std::vector<std::string>& args, const std::vector<std::string>& flags,
                     const std::vector<std::string>& valued) {
  ParsedArgs parsed;
  auto contains = [](const std::vector<std::string>& list, const std::string& s) {
    return std::find(list.begin(), list.end(), s) != list.end();
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!arg.starts_with("--")) {
      parsed.positional.push_back(arg);
    } else if (contains(flags, arg)) {
      parsed.options.emplace_back(arg, "");
    } else if (contains(valued, arg)) {
      if (i + 1 == args.size()) throw InvalidArgumentError(arg + " needs a value");
      parsed.options.emplace_back(arg, args[++i]);
    } else {
      throw InvalidArgumentError("unknown option " + arg);
    }
  }
  return parsed;
}

}  // namespace geobatch::cli

namespace {

constexpr const char* kUsage =
    "usage: geobatch <command> [options]\n"
    "\n"
    "commands:\n"
    "  info URL [--path PATH] [--json]      the hierarchy: shapes, chunks, dtypes, codecs, attributes\n"
    "  read URL --array PATH [--region 0:10,5:20] --out FILE.npy [--force]\n"
    "                                       write a region of an array as a .npy file\n"
    "  scan URL [--array PATH] [--chunks]   read whole arrays (or chunk by chunk) and report throughput\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const std::map<std::string, int (*)(const std::vector<std::string>&)> commands = {
      {"info", geobatch::cli::InfoCommand},
      {"read", geobatch::cli::ReadCommand},
      {"scan", geobatch::cli::ScanCommand},
  };
  auto it = commands.find(argv[1]);
  if (it == commands.end()) {
    std::fprintf(stderr, "geobatch: unknown command '%s'\n\n%s", argv[1], kUsage);
    return 2;
  }
  try {
    return it->second(std::vector<std::string>(argv + 2, argv + argc));
  } catch (const geobatch::Error& e) {
    std::fprintf(stderr, "geobatch %s: %s error: %s\n", argv[1],
                 std::string(geobatch::ErrorKindName(e.kind())).c_str(), e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "geobatch %s: error: %s\n", argv[1], e.what());
    return 1;
  }
}
