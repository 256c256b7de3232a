#include "server/prices.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "server/json_input.h"

namespace suanli::server {

Result<core::PriceTable> ParsePriceTable(const std::string& text) {
  SUANLI_ASSIGN_OR_RETURN(json j, ParseObject(text));
  core::PriceTable t;
  FieldReader r(j);
  std::map<std::string, double> accel;
  bool has_accel = r.Has("accel_hour");
  r.Number("cpu_hour", &t.cpu_hour, 0, 1e9)
      .Number("mem_gib_hour", &t.mem_gib_hour, 0, 1e9)
      .Number("default_accel_hour", &t.default_accel_hour, 0, 1e9)
      .NumberMap("accel_hour", &accel, 0, 1e9);
  SUANLI_RETURN_IF_ERROR(r.Finish());
  if (has_accel) {
    for (const auto& [k, v] : accel) t.accel_hour[k] = v;
  }
  SUANLI_RETURN_IF_ERROR(t.Validate());
  return t;
}

Result<core::PriceTable> LoadPriceTable(const std::string& path, const std::string& data_dir) {
  std::string file = path;
  if (file.empty()) {
    std::filesystem::path def = std::filesystem::path(data_dir) / "prices.json";
    std::error_code ec;
    if (!std::filesystem::exists(def, ec)) return core::PriceTable{};
    file = def.string();
  }
  std::ifstream in(file);
  if (!in) return InvalidArgument("cannot read price table " + file);
  std::stringstream ss;
  ss << in.rdbuf();
  auto t = ParsePriceTable(ss.str());
  if (!t.ok()) return InvalidArgument("price table " + file + ": " + t.status().message());
  return t;
}

}  // namespace suanli::server
