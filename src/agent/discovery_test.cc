#include "agent/discovery.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace suanli::agent {
namespace {

TEST(DeclaredAccelerators, ParsesTypesCountsAndMemory) {
  auto d = ParseDeclaredAccelerators("nvidia-a100:2, ascend-910b:1:32768", 3);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_EQ(d->size(), 3u);
  EXPECT_EQ((*d)[0].index, 3);
  EXPECT_EQ((*d)[0].type, "nvidia-a100");
  EXPECT_EQ((*d)[0].memory_mb, 81920);  // known type, typical memory
  EXPECT_EQ((*d)[1].index, 4);
  EXPECT_EQ((*d)[1].driver_index, 1);
  EXPECT_EQ((*d)[2].type, "ascend-910b");
  EXPECT_EQ((*d)[2].memory_mb, 32768);  // given explicitly
  EXPECT_EQ((*d)[2].driver_index, 0);
  EXPECT_NE((*d)[0].island, (*d)[2].island);  // different entries are different islands
  EXPECT_EQ((*d)[0].island, (*d)[1].island);
}

TEST(DeclaredAccelerators, RejectsMalformedEntriesNamingThem) {
  for (const char* bad :
       {"nvidia-a100", "nvidia-a100:x", "nvidia-a100:0", ":3", "a b:1", "x:1:2:3"}) {
    auto d = ParseDeclaredAccelerators(bad, 0);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  }
  auto d = ParseDeclaredAccelerators("nvidia-a100:abc", 0);
  EXPECT_NE(d.status().message().find("nvidia-a100:abc"), std::string::npos);
  EXPECT_TRUE(ParseDeclaredAccelerators("", 0)->empty());
}

TEST(DeviceNames, MapDriverNamesToTypes) {
  EXPECT_EQ(NvidiaTypeFromName("NVIDIA A100-SXM4-80GB"), "nvidia-a100");
  EXPECT_EQ(NvidiaTypeFromName("NVIDIA H100 80GB HBM3"), "nvidia-h100");
  EXPECT_EQ(NvidiaTypeFromName("Tesla V100-SXM2-32GB"), "nvidia-v100");
  EXPECT_EQ(NvidiaTypeFromName("NVIDIA GeForce RTX 4090"), "nvidia-rtx4090");
  EXPECT_EQ(AscendTypeFromName("910B3"), "ascend-910b");
  EXPECT_EQ(AscendTypeFromName("310P3"), "ascend-310p");
  EXPECT_EQ(AscendTypeFromName("Ascend910"), "ascend-910");
}

TEST(CpuList, ParsesAndFormatsKernelSyntax) {
  auto c = ParseCpuList("0-3,8,10-11\n");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, (std::vector<int>{0, 1, 2, 3, 8, 10, 11}));
  EXPECT_EQ(FormatCpuList(*c), "0-3,8,10-11");
  EXPECT_EQ(FormatCpuList({5}), "5");
  EXPECT_FALSE(ParseCpuList("3-1").ok());
  EXPECT_FALSE(ParseCpuList("a").ok());
}

const char* kNpuSmi910B =
    R"(+------------------------------------------------------------------------------------------------+
| npu-smi 23.0.rc2                 Version: 23.0.rc2                                             |
+---------------------------+---------------+----------------------------------------------------+
| NPU   Name                | Health        | Power(W)    Temp(C)           Hugepages-Usage(page)|
| Chip                      | Bus-Id        | AICore(%)   Memory-Usage(MB)  HBM-Usage(MB)        |
+===========================+===============+====================================================+
| 0     910B3               | OK            | 93.6        40                0    / 0             |
| 0                         | 0000:C1:00.0  | 0           0    / 0          3161 / 65536         |
+===========================+===============+====================================================+
| 1     910B3               | OK            | 92.0        39                0    / 0             |
| 0                         | 0000:C2:00.0  | 0           0    / 0          3160 / 65536         |
+===========================+===============+====================================================+
+---------------------------+---------------+----------------------------------------------------+
| NPU     Chip              | Process id    | Process name             | Process memory(MB)      |
+===========================+===============+====================================================+
| No running processes found in NPU 0                                                            |
+===========================+===============+====================================================+
)";

TEST(NpuSmi, ParsesTheDeviceTable) {
  auto d = ParseNpuSmiInfo(kNpuSmi910B);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_EQ(d->size(), 2u);
  EXPECT_EQ((*d)[0].type, "ascend-910b");
  EXPECT_EQ((*d)[0].memory_mb, 65536);
  EXPECT_EQ((*d)[0].uuid, "npu-0000:C1:00.0");
  EXPECT_EQ((*d)[1].index, 1);
  EXPECT_EQ((*d)[1].dev_path, "/dev/davinci1");
  EXPECT_EQ((*d)[0].island, (*d)[1].island);
  EXPECT_FALSE(ParseNpuSmiInfo("garbage without a table").ok());
}

TEST(NpuSmi, RunsAFakeNpuSmiFoundOnPath) {
  std::string dir = std::filesystem::temp_directory_path() / ("npusmi-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream s(dir + "/npu-smi");
    s << "#!/bin/sh\n[ \"$1\" = info ] || exit 3\ncat <<'EOF'\n" << kNpuSmi910B << "EOF\n";
  }
  chmod((dir + "/npu-smi").c_str(), 0755);
  std::string old_path = getenv("PATH");
  setenv("PATH", (dir + ":" + old_path).c_str(), 1);
  std::vector<std::string> notes;
  auto d = DiscoverAscend("npu-smi", &notes);
  setenv("PATH", old_path.c_str(), 1);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->size(), 2u);
  notes.clear();
  auto none = DiscoverAscend("npu-smi-does-not-exist", &notes);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  ASSERT_EQ(notes.size(), 1u);
}

TEST(Nvml, AbsentLibraryMeansNoGpus) {
  std::vector<std::string> notes;
  auto d = DiscoverNvidia("/nonexistent/libnvidia-ml.so.1", &notes);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->empty());
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("no NVIDIA driver"), std::string::npos);
}

TEST(Nvml, ReadsGpusAndNvLinkIslandsFromTheFakeLibrary) {
  setenv("FAKE_NVML_COUNT", "4", 1);
  setenv("FAKE_NVML_LINKS", "0-1,2-3", 1);
  setenv("FAKE_NVML_NAME", "NVIDIA H100 80GB HBM3", 1);
  std::vector<std::string> notes;
  auto d = DiscoverNvidia(SUANLI_FAKE_NVML, &notes);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_EQ(d->size(), 4u);
  EXPECT_EQ((*d)[0].type, "nvidia-h100");
  EXPECT_EQ((*d)[2].uuid, "GPU-fake-0000-0002");
  EXPECT_EQ((*d)[3].memory_mb, 81920);
  EXPECT_EQ((*d)[0].island, 0);
  EXPECT_EQ((*d)[1].island, 0);
  EXPECT_EQ((*d)[2].island, 1);
  EXPECT_EQ((*d)[3].island, 1);

  setenv("FAKE_NVML_LINKS", "switch", 1);  // all on one NVSwitch fabric
  d = DiscoverNvidia(SUANLI_FAKE_NVML, &notes);
  ASSERT_TRUE(d.ok());
  for (const auto& g : *d) EXPECT_EQ(g.island, 0);

  unsetenv("FAKE_NVML_LINKS");  // no NVLink at all: each GPU alone
  d = DiscoverNvidia(SUANLI_FAKE_NVML, &notes);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ((*d)[3].island, 3);

  setenv("FAKE_NVML_FAIL_INIT", "1", 1);  // a broken driver is an error, not "no GPUs"
  d = DiscoverNvidia(SUANLI_FAKE_NVML, &notes);
  unsetenv("FAKE_NVML_FAIL_INIT");
  unsetenv("FAKE_NVML_NAME");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("Driver Not Loaded"), std::string::npos);
}

TEST(Discovery, HostHasCpusAndMemoryAndDeclaredDevicesFollowDiscoveredOnes) {
  setenv("FAKE_NVML_COUNT", "2", 1);
  DiscoveryOptions o;
  o.nvml_library = SUANLI_FAKE_NVML;
  o.npu_smi = "";
  o.declared = "ascend-910b:2";
  std::vector<std::string> notes;
  auto h = DiscoverAll(o, &notes);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_GT(h->cpus, 0);
  EXPECT_GT(h->mem_mb, 0);
  EXPECT_FALSE(h->numa_cpus.empty());
  ASSERT_EQ(h->devices.size(), 4u);
  EXPECT_EQ(h->devices[1].type, "nvidia-a100");
  EXPECT_EQ(h->devices[2].type, "ascend-910b");
  EXPECT_EQ(h->devices[2].index, 2);
  EXPECT_EQ(h->devices[2].driver_index, 0);
  EXPECT_GT(h->devices[2].island, h->devices[1].island);
}

}  // namespace
}  // namespace suanli::agent
