#include "server/shape_choice.h"

#include <gtest/gtest.h>

namespace suanli::server {
namespace {

store::JobSpec FlexibleSpec() {
  store::JobSpec spec;
  spec.time_limit_s = 3600;
  spec.main.gpus = 8;
  spec.main.gpu_type = "nvidia-a100";
  store::ShapeSpec half = spec.main;
  half.gpus = 4;
  half.mem_mb = 524288;
  half.speed = 0.5;
  spec.shapes.push_back(half);
  return spec;
}

TEST(ShapeChoice, NamesTheShapeAndComparesTheFinishes) {
  const store::JobSpec spec = FlexibleSpec();
  core::Placement p;
  p.shape_index = 1;
  p.fastest_shape = 0;
  p.compared = true;
  p.fastest_start = 1000 + 3 * 3600 * 1000;  // the full shape starts in 3 h
  EXPECT_EQ(ShapeChoiceText(spec, p, 1000),
            "shape 1 (4 gpus nvidia-a100, 524288 MiB, speed 0.5): starting now it finishes in "
            "~2 h (its 3600 s time limit at speed 0.5); shape 0 (8 gpus nvidia-a100, 1024 MiB, "
            "speed 1) would start in ~3 h and finish in ~4 h");
  p.shape_index = 0;
  EXPECT_EQ(ShapeChoiceText(spec, p, 1000),
            "shape 0 (8 gpus nvidia-a100, 1024 MiB, speed 1): the fastest shape, and it fits now");
  p.shape_index = 1;
  p.compared = false;
  EXPECT_NE(ShapeChoiceText(spec, p, 1000).find("declare no time limits"), std::string::npos);
  store::JobSpec one;
  EXPECT_EQ(ShapeChoiceText(one, p, 1000), "");
}

TEST(ShapeChoice, TellsTheJobItsShapeAndStretchesItsLimit) {
  const store::JobSpec spec = FlexibleSpec();
  auto env = ShapeEnv(spec, 1);
  EXPECT_EQ(env["SUANLI_SHAPE"], "1");
  EXPECT_EQ(env["SUANLI_SHAPES"], "2");
  EXPECT_EQ(env["SUANLI_SHAPE_GPUS"], "4");
  EXPECT_EQ(env["SUANLI_SHAPE_MEM_MB"], "524288");
  EXPECT_EQ(env["SUANLI_SHAPE_SPEED"], "0.5");
  EXPECT_EQ(ShapeEnv(spec, 0)["SUANLI_SHAPE_GPUS"], "8");
  EXPECT_TRUE(ShapeEnv(store::JobSpec{}, 0).empty());
  EXPECT_EQ(ShapeTimeLimitS(spec, 0), 3600);
  EXPECT_EQ(ShapeTimeLimitS(spec, 1), 7200);
  store::JobSpec none = spec;
  none.time_limit_s = 0;
  EXPECT_EQ(ShapeTimeLimitS(none, 1), 0);
}

}  // namespace
}  // namespace suanli::server
