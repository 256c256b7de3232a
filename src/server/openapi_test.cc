// docs/openapi.json must list exactly the (method, path) pairs the server registers.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "server/api.h"

namespace suanli::server {
namespace {

TEST(OpenApiTest, DocumentListsExactlyTheRegisteredRoutes) {
  const char* src = std::getenv("SUANLI_SOURCE_DIR");
  // Under ctest SUANLI_SOURCE_DIR is set; run by hand, find the tree from this file's path.
  std::filesystem::path root = src ? std::filesystem::path(src)
                                   : std::filesystem::path(__FILE__).parent_path() / ".." / "..";
  std::filesystem::path doc = root / "docs" / "openapi.json";
  std::ifstream in(doc);
  ASSERT_TRUE(in) << "cannot read " << doc;
  nlohmann::json spec = nlohmann::json::parse(in);
  EXPECT_EQ(spec["openapi"].get<std::string>().substr(0, 2), "3.");
  std::set<std::pair<std::string, std::string>> documented;
  for (const auto& [path, ops] : spec["paths"].items()) {
    for (const auto& [method, op] : ops.items()) {
      std::string m = method;
      for (auto& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert({m, path});
      EXPECT_TRUE(op.contains("responses")) << m << " " << path;
    }
  }
  std::set<std::pair<std::string, std::string>> served;
  for (const auto& r : ApiRoutes()) served.insert({r.method, r.path});
  for (const auto& r : served) {
    EXPECT_TRUE(documented.count(r)) << "served but not documented: " << r.first << " " << r.second;
  }
  for (const auto& r : documented) {
    EXPECT_TRUE(served.count(r)) << "documented but not served: " << r.first << " " << r.second;
  }
  EXPECT_GE(served.size(), 20u);
}

}  // namespace
}  // namespace suanli::server
