#include "geobatch/store/s3/ini_file.h"

#include <cctype>

namespace geobatch {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

}  // namespace

IniFile ParseIni(std::string_view text) {
  IniFile file;
  IniSection* section = nullptr;
  while (!text.empty()) {
    const size_t end = std::min(text.find('\n'), text.size());
    const std::string_view raw = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    const std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      section = &file[std::string(Trim(line.substr(1, line.size() - 2)))];
      continue;
    }
    // Indented lines are the values of a nested setting (e.g. "s3 =").
    if (!section || std::isspace(static_cast<unsigned char>(raw.front()))) continue;
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    (*section)[std::string(Trim(line.substr(0, eq)))] = std::string(Trim(line.substr(eq + 1)));
  }
  return file;
}

}  // namespace geobatch
