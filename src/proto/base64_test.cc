#include "proto/base64.h"

#include <gtest/gtest.h>

namespace suanli::proto {
namespace {

TEST(Base64, RoundTripsEveryLengthAndByte) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (size_t n = 0; n <= 7; ++n) {
    std::string part = bytes.substr(250 - n, n);
    auto back = Base64Decode(Base64Encode(part), "data");
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, part) << n;
  }
  EXPECT_EQ(*Base64Decode(Base64Encode(bytes), "data"), bytes);
  EXPECT_EQ(Base64Encode("hi"), "aGk=");
}

TEST(Base64, EncodesWithPadding) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode(std::string("\xff\x00\x10", 3)), "/wAQ");
}

TEST(Base64, BadTextNamesTheField) {
  for (const char* bad : {"a*b=", "aG=k", "a==="}) {
    auto r = Base64Decode(bad, "data");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message(), "field 'data' is not valid base64");
  }
}

}  // namespace
}  // namespace suanli::proto
