#include "sim/trace.h"

#include <gtest/gtest.h>

#include "sim/workload.h"

namespace suanli::sim {
namespace {

const char* kHeader =
    "job_id,tenant,submit_time_s,duration_s,num_gpus,gpu_type,status,gpu_time_s,submit_wallclock";

TEST(TraceTest, ParsesGoodRowsAndSortsBySubmitTime) {
  auto t = ParseTrace({kHeader, "a,vc1,10,100,2,,,200,2017-10-01 00:00:10",
                       "b,vc2,5,50,1,nvidia-a100,Pass,50,2017-10-01 00:00:05"},
                      "mem");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->jobs.size(), 2u);
  EXPECT_EQ(t->data_rows, 2);
  EXPECT_TRUE(t->bad_rows.empty());
  EXPECT_EQ(t->jobs[0].id, "b");  // submitted first
  EXPECT_EQ(t->jobs[0].line, 3);
  EXPECT_EQ(t->jobs[0].gpu_type, "nvidia-a100");
  EXPECT_EQ(t->jobs[0].status, "Pass");
  EXPECT_EQ(t->jobs[1].id, "a");
  EXPECT_EQ(t->jobs[1].tenant, "vc1");
  EXPECT_EQ(t->jobs[1].submit_s, 10);
  EXPECT_EQ(t->jobs[1].duration_s, 100);
  EXPECT_EQ(t->jobs[1].num_gpus, 2);
  EXPECT_EQ(t->jobs[1].submit_wallclock, "2017-10-01 00:00:10");
}

TEST(TraceTest, CountsCorruptRowsWithLineNumbers) {
  auto t = ParseTrace({kHeader,
                       "ok,vc,0,10,1,,,10,x",      // line 2: good
                       "short,vc,0,10",            // line 3: too few fields
                       "neg,vc,-5,10,1,,,10,x",    // line 4: negative submit
                       "word,vc,0,ten,1,,,10,x",   // line 5: bad duration
                       "gpus,vc,0,10,1.5,,,10,x",  // line 6: fractional num_gpus
                       "",                         // line 7: empty
                       "ok,vc,1,10,1,,,10,x",      // line 8: duplicate id
                       ",vc,1,10,1,,,10,x"},       // line 9: empty id
                      "mem");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->data_rows, 8);
  ASSERT_EQ(t->jobs.size(), 1u);
  ASSERT_EQ(t->bad_rows.size(), 7u);
  std::vector<int64_t> lines;
  for (const auto& b : t->bad_rows) lines.push_back(b.line);
  EXPECT_EQ(lines, (std::vector<int64_t>{3, 4, 5, 6, 7, 8, 9}));
  EXPECT_NE(t->bad_rows[0].reason.find("4 fields"), std::string::npos) << t->bad_rows[0].reason;
  EXPECT_NE(t->bad_rows[2].reason.find("duration_s 'ten'"), std::string::npos);
  EXPECT_NE(t->bad_rows[5].reason.find("duplicate"), std::string::npos);
}

TEST(TraceTest, EmptyDurationMeansNeverRanAndIsKeptApart) {
  auto t = ParseTrace({kHeader, "ran,vc,0,10,1,,,10,x", "never,vc,3,,4,,,0,x"}, "mem");
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->jobs.size(), 1u);
  ASSERT_EQ(t->never_ran.size(), 1u);
  EXPECT_EQ(t->never_ran[0].id, "never");
  EXPECT_EQ(t->never_ran[0].line, 3);
  EXPECT_TRUE(t->bad_rows.empty());
}

TEST(TraceTest, MissingRequiredColumnIsAnError) {
  auto t = ParseTrace({"job_id,tenant,submit_time_s,num_gpus", "a,b,0,1"}, "f.csv");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("duration_s"), std::string::npos) << t.status().message();
  EXPECT_FALSE(ParseTrace({}, "empty.csv").ok());
}

TEST(TraceTest, OpenbFractionalGpusCpuAndMemory) {
  auto t = ParseTrace(
      {"job_id,tenant,submit_time_s,duration_s,num_gpus,gpu_type,status,gpu_milli,num_cpus,mem_mib,"
       "qos,queue_s,end_time_s,gpu_type_aug33",
       "p0,,0,100,1,,Running,460,6,12288,LS,0,100,V100M16|V100M32",
       "p1,,0,100,2,,Running,500,6,12288,LS,0,100,",  // fractional share of 2 GPUs: bad
       "p2,,0,100,0,,Running,0,4,1024,BE,0,100,"},
      "openb");
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->jobs.size(), 2u);
  EXPECT_EQ(t->jobs[0].gpu_milli, 460);
  EXPECT_EQ(t->jobs[0].cpu_milli, 6000);
  EXPECT_EQ(t->jobs[0].mem_mb, 12288);
  EXPECT_EQ(t->jobs[0].gpu_type_aug33, "V100M16|V100M32");
  EXPECT_EQ(t->jobs[1].num_gpus, 0);
  EXPECT_EQ(t->jobs[1].gpu_milli, 0);
  ASSERT_EQ(t->bad_rows.size(), 1u);
  EXPECT_EQ(t->bad_rows[0].line, 3);
}

TEST(TraceTest, WindowComparesWallclockByPrefixInclusive) {
  EXPECT_TRUE(InWindow("2017-10-01 00:00:00", "2017-10-01", "2017-11-30"));
  EXPECT_TRUE(InWindow("2017-11-30 23:59:59", "2017-10-01", "2017-11-30"));
  EXPECT_FALSE(InWindow("2017-09-30 23:59:59", "2017-10-01", "2017-11-30"));
  EXPECT_FALSE(InWindow("2017-12-01 00:00:00", "2017-10-01", "2017-11-30"));
  EXPECT_TRUE(InWindow("anything", "", ""));

  auto t =
      ParseTrace({kHeader, "a,v,0,1,1,,,1,2017-09-30 10:00:00", "b,v,1,1,1,,,1,2017-10-01 10:00:00",
                  "c,v,2,1,1,,,1,2017-10-02 10:00:00", "d,v,3,1,1,,,1,2017-12-01 10:00:00"},
                 "mem");
  ASSERT_TRUE(t.ok());
  FilteredTrace f = FilterTrace(*t, {"2017-10-01", "2017-11-30", 1});
  ASSERT_EQ(f.trace.jobs.size(), 1u);
  EXPECT_EQ(f.trace.jobs[0].id, "b");
  EXPECT_EQ(f.outside_window, 2);
  EXPECT_EQ(f.beyond_limit, 1);
}

}  // namespace
}  // namespace suanli::sim
