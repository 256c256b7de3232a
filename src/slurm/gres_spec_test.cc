#include "slurm/gres_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "slurm/test_support.h"

namespace suanli::slurm {
namespace {

using GresList = std::vector<GresRequest>;

GresList Gres(std::string_view text) {
  auto r = ParseGresList(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : GresList{};
}

TEST(GresSpecTest, Forms) {
  EXPECT_EQ(Gres("gpu:2"), (GresList{{"gpu", "", 2}}));
  EXPECT_EQ(Gres("gpu"), (GresList{{"gpu", "", 1}}));
  EXPECT_EQ(Gres("gpu:a100:4"), (GresList{{"gpu", "a100", 4}}));
  EXPECT_EQ(Gres("gpu:tesla"), (GresList{{"gpu", "tesla", 1}}));
  EXPECT_EQ(Gres("gpu:a100_80g:8"), (GresList{{"gpu", "a100_80g", 8}}));
  EXPECT_EQ(Gres("gpu:v100:2,shard:1"), (GresList{{"gpu", "v100", 2}, {"shard", "", 1}}));
  EXPECT_EQ(Gres("gres/gpu:1"), (GresList{{"gpu", "", 1}}));
  EXPECT_EQ(Gres("gpu:0"), (GresList{{"gpu", "", 0}}));
  EXPECT_EQ(Gres("none"), GresList{});
}

TEST(GresSpecTest, RejectsMalformed) {
  for (const char* t : {"", "gpu:", ":2", "gpu:a100:x", "gpu:a:b:2", "gpu,,mps", "2",
                        "gpu:a100:99999999999", "gpu a100"}) {
    EXPECT_THAT(ErrorMessage(ParseGresList(t)), testing::HasSubstr("invalid gres")) << t;
  }
}

TEST(GpuCountTest, Forms) {
  EXPECT_EQ(*ParseGpuCount("8"), (GpuCount{"", 8}));
  EXPECT_EQ(*ParseGpuCount("a100:4"), (GpuCount{"a100", 4}));
  EXPECT_EQ(*ParseGpuCount("h100:1"), (GpuCount{"h100", 1}));
  for (const char* t : {"", "x", "a100", "a100:", ":4", "a:b:4", "-1"}) {
    EXPECT_THAT(ErrorMessage(ParseGpuCount(t)), testing::HasSubstr("invalid GPU count")) << t;
  }
}

MemorySize Mem(std::string_view text, MemoryScope scope = MemoryScope::kPerNode) {
  auto r = ParseMemorySize(text, scope);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : MemorySize{};
}

TEST(MemorySizeTest, UnitsDefaultToMegabytes) {
  EXPECT_EQ(Mem("4000").megabytes, 4000u);
  EXPECT_EQ(Mem("500M").megabytes, 500u);
  EXPECT_EQ(Mem("16G").megabytes, 16u * 1024);
  EXPECT_EQ(Mem("16g").megabytes, 16u * 1024);
  EXPECT_EQ(Mem("2T").megabytes, 2u * 1024 * 1024);
  EXPECT_EQ(Mem("2048K").megabytes, 2u);
  EXPECT_EQ(Mem("16GB").megabytes, 16u * 1024);  // Slurm takes a trailing B too
  EXPECT_EQ(Mem("512mb").megabytes, 512u);
  EXPECT_EQ(Mem("1K").megabytes, 1u);  // rounded up: a job never gets less than it asked
  EXPECT_EQ(Mem("8G", MemoryScope::kPerCpu).megabytes, 8192u);
  EXPECT_EQ(Mem("80G", MemoryScope::kPerGpu).megabytes, 81920u);
}

TEST(MemorySizeTest, ZeroMeansTheWholeNodeOnlyForMem) {
  EXPECT_EQ(Mem("0"), (MemorySize{true, 0}));
  EXPECT_EQ(Mem("0G"), (MemorySize{true, 0}));
  EXPECT_FALSE(ParseMemorySize("0", MemoryScope::kPerCpu).ok());
  EXPECT_FALSE(ParseMemorySize("0", MemoryScope::kPerGpu).ok());
}

TEST(MemorySizeTest, RejectsMalformed) {
  for (const char* t : {"", "G", "16B", "16GiB", "1.5G", "16 G", "16P", "-1", "99999999999999T"}) {
    EXPECT_THAT(ErrorMessage(ParseMemorySize(t, MemoryScope::kPerNode)),
                testing::HasSubstr("invalid memory size"))
        << t;
  }
}

}  // namespace
}  // namespace suanli::slurm
