#include "server/json_input.h"

#include <gtest/gtest.h>

#include <limits>

namespace suanli::server {
namespace {

TEST(JsonInputTest, ReadsTypedFieldsAndRejectsUnknownOnes) {
  json j = json::parse(R"({"name":"x","cpus":2.5,"n":3,"ok":true,"list":["a","b"]})");
  FieldReader r(j);
  std::string name;
  double cpus = 0;
  int64_t n = 0;
  bool ok = false;
  std::vector<std::string> list;
  r.String("name", &name)
      .Number("cpus", &cpus, 0, 10)
      .Int("n", &n, 0, 5)
      .Bool("ok", &ok)
      .StringList("list", &list, 4, 8);
  ASSERT_TRUE(r.Finish().ok());
  EXPECT_EQ(name, "x");
  EXPECT_DOUBLE_EQ(cpus, 2.5);
  EXPECT_EQ(n, 3);
  EXPECT_TRUE(ok);
  EXPECT_EQ(list, (std::vector<std::string>{"a", "b"}));

  json extra = json::parse(R"({"name":"x","size":1})");
  FieldReader r2(extra);
  r2.String("name", &name);
  Status st = r2.Finish();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "unknown field 'size'");
}

TEST(JsonInputTest, NamesTheFieldOnWrongTypesAndRanges) {
  auto first_error = [](const std::string& text) {
    json j = json::parse(text);
    FieldReader r(j, "shapes[2].");
    double d = 0;
    int64_t i = 0;
    r.Number("cpus", &d, 0, 64).Int("mem_mb", &i, 0, 1000);
    return r.Finish().message();
  };
  EXPECT_EQ(first_error(R"({"cpus":"many"})"),
            "field 'shapes[2].cpus' must be a number between 0 and 64");
  EXPECT_EQ(first_error(R"({"cpus":-0.5})"),
            "field 'shapes[2].cpus' must be a number between 0 and 64");
  EXPECT_EQ(first_error(R"({"mem_mb":1.5})"),
            "field 'shapes[2].mem_mb' must be an integer between 0 and 1000");
  EXPECT_EQ(first_error(R"({"mem_mb":5000})"),
            "field 'shapes[2].mem_mb' must be between 0 and 1000");
  EXPECT_EQ(first_error(R"({"mem_mb":true})"),
            "field 'shapes[2].mem_mb' must be an integer between 0 and 1000");
}

// Integers at the edge of int64 are compared exactly, never through a double: 2^63 used to pass
// as double(INT64_MAX) and wrap to INT64_MIN.
TEST(JsonInputTest, IntRangeIsExactAtTheInt64Edge) {
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  auto read = [&](const std::string& text, int64_t* out) {
    json j = json::parse(text);
    FieldReader r(j);
    r.Int("v", out, 0, kMax);
    return r.Finish();
  };
  int64_t v = 7;
  EXPECT_FALSE(read(R"({"v":9223372036854775808})", &v).ok());  // 2^63, unsigned
  EXPECT_EQ(v, 7);
  EXPECT_FALSE(read(R"({"v":18446744073709551615})", &v).ok());
  EXPECT_FALSE(read(R"({"v":9.3e18})", &v).ok());  // a double past int64
  EXPECT_EQ(v, 7);
  ASSERT_TRUE(read(R"({"v":9223372036854775807})", &v).ok());
  EXPECT_EQ(v, kMax);
  ASSERT_TRUE(read(R"({"v":1e3})", &v).ok());
  EXPECT_EQ(v, 1000);
  EXPECT_FALSE(read(R"({"v":-1})", &v).ok());
  // A small unsigned value against a narrow range.
  json j = json::parse(R"({"v":6})");
  FieldReader r(j);
  int64_t small = 0;
  r.Int("v", &small, 0, 5);
  EXPECT_EQ(r.Finish().message(), "field 'v' must be between 0 and 5");
}

TEST(JsonInputTest, AbsentAndNullLeaveDefaults) {
  json j = json::parse(R"({"cpus":null})");
  FieldReader r(j);
  double cpus = 7;
  r.Number("cpus", &cpus, 0, 10);
  EXPECT_TRUE(r.Finish().ok());
  EXPECT_DOUBLE_EQ(cpus, 7);
}

TEST(JsonInputTest, ParseObjectRejectsNonObjects) {
  EXPECT_TRUE(ParseObject("").ok());
  EXPECT_FALSE(ParseObject("[]").ok());
  EXPECT_FALSE(ParseObject("{").ok());
  EXPECT_FALSE(ParseObject("42").ok());
}

}  // namespace
}  // namespace suanli::server

namespace suanli::server {
namespace {

TEST(JsonInputTest, CheckTextRefusesNulControlsAndBidi) {
  EXPECT_TRUE(CheckText("train-ü 日本", TextRule::kDisplayName, "name").ok());
  EXPECT_TRUE(CheckText("a\nb\tc", TextRule::kNoNul, "command[1]").ok());
  auto message = [](const std::string& text, TextRule rule) {
    return CheckText(text, rule, "name").message();
  };
  EXPECT_EQ(message(std::string("a\0b", 3), TextRule::kNoNul),
            "field 'name' must not contain a NUL character (U+0000)");
  EXPECT_EQ(message("a\nb", TextRule::kDisplayName),
            "field 'name' must not contain control characters (U+000A)");
  EXPECT_EQ(message("a\x7f", TextRule::kDisplayName),
            "field 'name' must not contain control characters (U+007F)");
  EXPECT_EQ(message("a\u0085", TextRule::kDisplayName),
            "field 'name' must not contain control characters (U+0085)");
  for (const char* bidi : {"\u061C", "\u200E", "\u200F", "\u202A", "\u202E", "\u2066", "\u2069"}) {
    EXPECT_NE(message(std::string("x") + bidi + "y", TextRule::kDisplayName)
                  .find("bidirectional control characters"),
              std::string::npos)
        << bidi;
  }
  EXPECT_TRUE(CheckText("\u2065\u202F", TextRule::kDisplayName, "name").ok());  // neighbours
}

}  // namespace
}  // namespace suanli::server
