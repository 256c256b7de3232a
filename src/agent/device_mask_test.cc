#include "agent/device_mask.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace suanli::agent {
namespace {

class DeviceMaskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("devmask-" + std::to_string(getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  void Touch(const std::vector<std::string>& names) {
    for (const auto& n : names) std::ofstream(root_ + "/" + n) << n;
  }
  std::string P(const std::string& name) const { return root_ + "/" + name; }

  static Device Gpu(int index, int driver_index, std::string path = "") {
    Device d;
    d.index = index;
    d.driver_index = driver_index;
    d.type = "nvidia-a100";
    d.dev_path = std::move(path);
    return d;
  }
  static Device Npu(int index, int driver_index) {
    Device d;
    d.index = index;
    d.driver_index = driver_index;
    d.type = "ascend-910b";
    d.dev_path = "/dev/davinci" + std::to_string(driver_index);
    return d;
  }

  std::string root_;
};

TEST_F(DeviceMaskTest, HidesEveryUnassignedGpuButNoControlNode) {
  Touch({"nvidia0", "nvidia1", "nvidia2", "nvidia3", "nvidiactl", "nvidia-uvm", "nvidia-uvm-tools",
         "nvidia-modeset", "null", "nvme0"});
  std::vector<Device> host = {Gpu(0, 0, "/dev/nvidia0"), Gpu(1, 1, "/dev/nvidia1"),
                              Gpu(2, 2, "/dev/nvidia2"), Gpu(3, 3, "/dev/nvidia3")};
  EXPECT_EQ(DeviceNodesToMask(host, {1, 3}, root_),
            (std::vector<std::string>{P("nvidia0"), P("nvidia2")}));
  EXPECT_EQ(DeviceNodesToMask(host, {}, root_),
            (std::vector<std::string>{P("nvidia0"), P("nvidia1"), P("nvidia2"), P("nvidia3")}))
      << "a CPU-only task sees no GPU";
  EXPECT_TRUE(DeviceNodesToMask(host, {0, 1, 2, 3}, root_).empty());
}

TEST_F(DeviceMaskTest, NodeNamesComeFromTheDevicePathNotTheIndex) {
  // The agent's index 0 is the driver's /dev/nvidia2 (e.g. the node offers GPUs 2 and 3 only).
  Touch({"nvidia0", "nvidia1", "nvidia2", "nvidia3"});
  std::vector<Device> host = {Gpu(0, 2, "/dev/nvidia2"), Gpu(1, 3, "/dev/nvidia3")};
  EXPECT_EQ(DeviceNodesToMask(host, {0}, root_),
            (std::vector<std::string>{P("nvidia0"), P("nvidia1"), P("nvidia3")}))
      << "GPUs the agent does not offer are hidden too";
}

TEST_F(DeviceMaskTest, DeclaredDevicesUseTheirDriverIndex) {
  Touch({"nvidia0", "nvidia1"});
  std::vector<Device> host = {Gpu(0, 0), Gpu(1, 1)};  // --accelerators: no discovered path
  EXPECT_EQ(DeviceNodeName(host[1]), "nvidia1");
  EXPECT_EQ(DeviceNodesToMask(host, {1}, root_), (std::vector<std::string>{P("nvidia0")}));
}

TEST_F(DeviceMaskTest, AscendNodes) {
  Touch({"davinci0", "davinci1", "davinci_manager", "devmm_svm", "hisi_hdc"});
  std::vector<Device> host = {Npu(0, 0), Npu(1, 1)};
  EXPECT_EQ(DeviceNodesToMask(host, {0}, root_), (std::vector<std::string>{P("davinci1")}));
}

TEST_F(DeviceMaskTest, MissingRootMasksNothing) {
  EXPECT_TRUE(DeviceNodesToMask({Gpu(0, 0)}, {}, root_ + "/absent").empty());
}

}  // namespace
}  // namespace suanli::agent
