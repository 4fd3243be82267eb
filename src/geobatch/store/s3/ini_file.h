// The INI dialect of the AWS shared config and credentials files
// (https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html):
// [section] headers, "name = value" lines, full-line comments with # or ;,
// and indented lines that belong to a nested setting (skipped here).
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace geobatch {

using IniSection = std::map<std::string, std::string>;
using IniFile = std::map<std::string, IniSection>;

IniFile ParseIni(std::string_view text);

}  // namespace geobatch
