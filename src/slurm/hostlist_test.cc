#include "slurm/hostlist.h"

#include <gtest/gtest.h>

namespace suanli::slurm {
namespace {

using Hosts = std::vector<std::string>;

Hosts Expand(std::string_view list) {
  auto r = ExpandHostlist(list);
  EXPECT_TRUE(r.ok()) << list << ": " << r.status().ToString();
  return r.ok() ? *r : Hosts{};
}

TEST(HostlistTest, ExpandsLikeScontrolShowHostnames) {
  EXPECT_EQ(Expand("gpu[01-04]"), (Hosts{"gpu01", "gpu02", "gpu03", "gpu04"}));
  EXPECT_EQ(Expand("a[1-3,7],b5"), (Hosts{"a1", "a2", "a3", "a7", "b5"}));
  EXPECT_EQ(Expand("node1"), (Hosts{"node1"}));
  EXPECT_EQ(Expand("login"), (Hosts{"login"}));
  EXPECT_EQ(Expand("n[08-10]"), (Hosts{"n08", "n09", "n10"}));
  EXPECT_EQ(Expand("n[8-10]"), (Hosts{"n8", "n9", "n10"}));
  EXPECT_EQ(Expand("n[001-3]"), (Hosts{"n001", "n002", "n003"}));
  EXPECT_EQ(Expand("gpu[1-2]-ib"), (Hosts{"gpu1-ib", "gpu2-ib"}));
  EXPECT_EQ(Expand("[1-2]"), (Hosts{"1", "2"}));
  EXPECT_EQ(Expand("a1, b2\tc3"), (Hosts{"a1", "b2", "c3"}));
  EXPECT_EQ(Expand("a1,a1"), (Hosts{"a1", "a1"}));  // duplicates kept, as scontrol keeps them
  EXPECT_EQ(Expand(""), Hosts{});
}

TEST(HostlistTest, SeveralBracketsMultiplyFirstOutermost) {
  EXPECT_EQ(Expand("rack[1-2]-node[01-02]"),
            (Hosts{"rack1-node01", "rack1-node02", "rack2-node01", "rack2-node02"}));
  EXPECT_EQ(Expand("r[1,3]n[5-6]x,z"), (Hosts{"r1n5x", "r1n6x", "r3n5x", "r3n6x", "z"}));
}

TEST(HostlistTest, RejectsMalformed) {
  for (const char* list : {"a[1-3", "a1-3]", "a[]", "a[x]", "a[3-1]", "a[1-]", "a[-1]", "a[1,,2]",
                           "a[[1]]", "a[1-2-3]"}) {
    auto r = ExpandHostlist(list);
    EXPECT_FALSE(r.ok()) << list;
    if (!r.ok()) {
      EXPECT_NE(r.status().message().find("invalid hostlist"), std::string::npos) << list;
    }
  }
  auto huge = ExpandHostlist("n[0-999999999]", 1000);
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.status().message().find("too many hosts"), std::string::npos);
  EXPECT_FALSE(ExpandHostlist("a[1-40]b[1-40]", 1000).ok());
}

TEST(HostlistTest, CompressesLikeScontrolShowHostlist) {
  EXPECT_EQ(CompressHostlist({"gpu01", "gpu02", "gpu03", "gpu04"}), "gpu[01-04]");
  EXPECT_EQ(CompressHostlist({"a1", "a2", "a3", "a7", "b5"}), "a[1-3,7],b5");
  EXPECT_EQ(CompressHostlist({"n9", "n10", "n11"}), "n[9-11]");
  EXPECT_EQ(CompressHostlist({"n09", "n10"}), "n[09-10]");
  EXPECT_EQ(CompressHostlist({"n98", "n99", "n100"}), "n[98-100]");
  EXPECT_EQ(CompressHostlist({"n1", "n01"}), "n[1,01]");
  EXPECT_EQ(CompressHostlist({"login", "gpu1"}), "login,gpu1");
  EXPECT_EQ(CompressHostlist({"gpu3"}), "gpu3");
  EXPECT_EQ(CompressHostlist({}), "");
  EXPECT_EQ(CompressHostlist({"a1", "b1", "a2"}), "a1,b1,a2");  // order kept
  EXPECT_EQ(CompressHostlist({"a3", "a2", "a1"}), "a[3,2,1]");
  EXPECT_EQ(CompressHostlist({"rack1-node01", "rack1-node02", "rack2-node01", "rack2-node02"}),
            "rack1-node[01-02],rack2-node[01-02]");
}

TEST(HostlistTest, SortedCompressionDropsDuplicates) {
  EXPECT_EQ(CompressHostlistSorted({"a3", "a2", "a1", "a2", "b1"}), "a[1-3],b1");
  EXPECT_EQ(CompressHostlistSorted({"n10", "n9", "n100"}), "n[9-10,100]");
}

TEST(HostlistTest, RoundTrips) {
  for (const char* list :
       {"gpu[01-04]", "a[1-3,7],b5", "rack1-node[01-02],rack2-node[01-02]", "n[9-11]",
        "login,gpu[1-2],gpu-ib", "n[098-100]", "x[1,01,001]", "node[1-1000]"}) {
    const Hosts hosts = Expand(list);
    EXPECT_EQ(CompressHostlist(hosts), list);
    EXPECT_EQ(Expand(CompressHostlist(hosts)), hosts) << list;
  }
  // Lists Slurm does not write that way still expand back to the same names.
  for (const char* list : {"rack[1-2]-node[01-02]", "a[7,1-3]", "n[8-10],n[11-12]"}) {
    const Hosts hosts = Expand(list);
    EXPECT_EQ(Expand(CompressHostlist(hosts)), hosts) << list;
  }
}

}  // namespace
}  // namespace suanli::slurm
