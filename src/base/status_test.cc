#include <gtest/gtest.h>

#include "base/clock.h"
#include "base/result.h"
#include "base/status.h"

namespace suanli {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgument("odd number " + std::to_string(x));
  return x / 2;
}

Status Quarter(int x, int* out) {
  SUANLI_ASSIGN_OR_RETURN(int h, Half(x));
  SUANLI_ASSIGN_OR_RETURN(int q, Half(h));
  *out = q;
  return Status::Ok();
}

TEST(StatusTest, ToStringNamesCodeAndMessage) {
  EXPECT_EQ(Status::Ok().ToString(), "OK");
  EXPECT_EQ(NotFound("tenant 'physics' does not exist").ToString(),
            "NOT_FOUND: tenant 'physics' does not exist");
}

TEST(ResultTest, PropagatesErrors) {
  int out = 0;
  EXPECT_TRUE(Quarter(8, &out).ok());
  EXPECT_EQ(out, 2);
  Status st = Quarter(6, &out);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "odd number 3");
}

TEST(FakeClockTest, MovesOnlyWhenTold) {
  FakeClock c(100);
  EXPECT_EQ(c.NowMs(), 100);
  c.Advance(50);
  EXPECT_EQ(c.NowMs(), 150);
}

}  // namespace
}  // namespace suanli
