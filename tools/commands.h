// The subcommands of the geobatch command-line program. Each takes the
// arguments after its name and returns the process exit code.
#pragma once

#include <string>
#include <vector>

namespace geobatch::cli {

int InfoCommand(const std::vector<std::string>& args);
int ReadCommand(const std::vector<std::string>& args);
int ScanCommand(const std::vector<std::string>& args);

// Splits "--name value" options and positional arguments; throws
// InvalidArgumentError for an unknown option or a missing value.
struct ParsedArgs {
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> options;  // name -> value ("" for flags)
  const std::string* Get(const std::string& name) const;
  bool Has(const std::string& name) const { return Get(name) != nullptr; }
};
ParsedArgs ParseArgs(const std::vector<std::string>& args, const std::vector<std::string>& flags,
                     const std::vector<std::string>& valued);

}  // namespace geobatch::cli
