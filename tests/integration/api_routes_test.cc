// Issue point 6 at the HTTP level: every route docs/openapi.json lists is really served by the
// running binary (the server's own test compares the spec with its route table in-process).
#include <fstream>
#include <regex>

#include "support/up_fixture.h"

namespace suanli::it {
namespace {

class ApiRoutesTest : public UpTest {};

TEST_F(ApiRoutesTest, EveryDocumentedRouteIsServed) {
  std::string spec_path = SourceDir() + "/docs/openapi.json";
  std::ifstream in(spec_path);
  if (!in) GTEST_SKIP() << "no " << spec_path << " (SUANLI_SOURCE_DIR unset?)";
  auto spec = nlohmann::json::parse(in, nullptr, false);
  ASSERT_TRUE(spec.is_object() && spec.contains("paths"))
      << spec_path << " is not an OpenAPI document";
  START_UP({"--no-agent"});
  auto admin = up().Admin();
  int checked = 0;
  for (const auto& [path, methods] : spec["paths"].items()) {
    // Path parameters get values that exist nowhere: a served route then answers a JSON 404 that
    // names the value; an unserved one would not know it.
    std::string concrete = std::regex_replace(path, std::regex("\\{id\\}"), "987654");
    concrete = std::regex_replace(concrete, std::regex("\\{name\\}"), "no-such-node");
    bool has_param = concrete != path;
    for (const auto& [method, op] : methods.items()) {
      HttpResponse r;
      if (method == "get") {
        r = admin.Get(concrete);
      } else if (method == "post") {
        r = admin.Post(concrete, std::string("{}"));
      } else if (method == "patch") {
        r = admin.Patch(concrete, std::string(R"({"weight":1})"));  // valid: then 404 names it
      } else if (method == "delete") {
        r = admin.Delete(concrete);
      } else {
        continue;
      }
      ++checked;
      ASSERT_NE(r.status, 0) << method << " " << concrete << ": no answer";
      EXPECT_NE(r.status, 405) << method << " " << concrete << ": " << r.Describe();
      if (r.status == 404) {
        EXPECT_TRUE(has_param) << method << " " << path
                               << " is documented but not served: " << r.Describe();
        EXPECT_TRUE(r.body.find("987654") != std::string::npos ||
                    r.body.find("no-such-node") != std::string::npos)
            << method << " " << path
            << " answered a 404 that does not name the missing object: " << r.Describe();
      }
    }
  }
  EXPECT_GE(checked, 15) << "the spec lists fewer operations than docs/api.md describes";
}

}  // namespace
}  // namespace suanli::it
