#include "json_to_python.h"

#include <nanobind/stl/string.h>

namespace nb = nanobind;

namespace geobatch::python {

nb::object JsonToPython(const nlohmann::json& json) {
  switch (json.type()) {
    case nlohmann::json::value_t::null: return nb::none();
    case nlohmann::json::value_t::boolean: return nb::bool_(json.get<bool>());
    case nlohmann::json::value_t::number_integer: return nb::int_(json.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: return nb::int_(json.get<uint64_t>());
    case nlohmann::json::value_t::number_float: return nb::float_(json.get<double>());
    case nlohmann::json::value_t::string: {
      const std::string& text = json.get_ref<const std::string&>();
      return nb::str(text.data(), text.size());  // keeps embedded NULs
    }
    case nlohmann::json::value_t::array: {
      nb::list list;
      for (const auto& item : json) list.append(JsonToPython(item));
      return list;
    }
    case nlohmann::json::value_t::object: {
      nb::dict dict;
      for (const auto& [key, value] : json.items()) {
        dict[nb::str(key.data(), key.size())] = JsonToPython(value);
      }
      return dict;
    }
    default: return nb::none();  // binary and discarded values never come from metadata
  }
}

}  // namespace geobatch::python
