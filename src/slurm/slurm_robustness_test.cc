// Every parser meets arbitrary text from users, so each is fed random strings built from the
// characters its syntax uses: none may crash, loop, or succeed with a value that breaks its
// promises (sorted arrays, hostlists that round-trip).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

#include "slurm/array_spec.h"
#include "slurm/begin_time.h"
#include "slurm/dependency_spec.h"
#include "slurm/directives.h"
#include "slurm/filename_pattern.h"
#include "slurm/gres_spec.h"
#include "slurm/hostlist.h"
#include "slurm/option_values.h"
#include "slurm/test_support.h"
#include "slurm/time_spec.h"

namespace suanli::slurm {
namespace {

class RandomText {
 public:
  explicit RandomText(uint32_t seed) : rng_(seed) {}
  std::string Next(std::string_view alphabet, size_t max_length) {
    std::uniform_int_distribution<size_t> length(0, max_length);
    std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
    std::string s(length(rng_), ' ');
    for (char& c : s) c = alphabet[pick(rng_)];
    return s;
  }

 private:
  std::mt19937 rng_;  // seeded: a failure reproduces
};

constexpr int kRounds = 20000;

TEST(SlurmRobustnessTest, ValueParsersNeverCrash) {
  RandomText text(13);
  for (int i = 0; i < kRounds; ++i) {
    (void)ParseTimeLimit(text.Next("0123456789:-UNLIMTED ", 12));
    (void)ParseBeginTime(text.Next("0123456789:-/.TnowNOW+hoursdaymintAPM ", 20), {kTestNow, 0});
    (void)ParseDependencySpec(text.Next("0123456789:,?+_afterokanysingleton", 24));
    (void)ParseGresList(text.Next("0123456789:,gpua100 ", 16));
    (void)ParseGpuCount(text.Next("0123456789:a", 8));
    (void)ParseMemorySize(text.Next("0123456789KMGTkb", 8), MemoryScope::kPerNode);
    (void)ParseSignalSpec(text.Next("0123456789:@BRUSR1SIG", 10));
    (void)ParseExportSpec(text.Next("ALNOE,=_abc1", 14));
    (void)ParseNodeRange(text.Next("0123456789-", 6));
    (void)ExpandFilenamePattern(text.Next("%0123456789jAaxuNnts\\%-_.", 16), {});
  }
}

TEST(SlurmRobustnessTest, ArraysAreSortedAndWithinLimits) {
  RandomText text(17);
  const ArrayLimits limits{.max_index = 500, .max_tasks = 200};
  int parsed = 0;
  for (int i = 0; i < kRounds; ++i) {
    auto r = ParseArraySpec(text.Next("0123456789-,:%", 14), limits);
    if (!r.ok()) continue;
    ++parsed;
    EXPECT_TRUE(std::is_sorted(r->task_ids.begin(), r->task_ids.end()));
    EXPECT_EQ(std::adjacent_find(r->task_ids.begin(), r->task_ids.end()), r->task_ids.end());
    EXPECT_LE(r->task_ids.size(), limits.max_tasks);
    EXPECT_TRUE(r->task_ids.empty() || r->task_ids.back() <= limits.max_index);
  }
  EXPECT_GT(parsed, kRounds / 50);  // the property was tested, not only the errors
}

TEST(SlurmRobustnessTest, HostlistsRoundTrip) {
  RandomText text(19);
  int parsed = 0;
  for (int i = 0; i < kRounds; ++i) {
    auto hosts = ExpandHostlist(text.Next("ab0123-[],", 18), 10000);
    if (!hosts.ok() || hosts->empty()) continue;
    ++parsed;
    // Names with brackets or commas cannot come out of an expansion, so every result is fair.
    auto again = ExpandHostlist(CompressHostlist(*hosts), 10000);
    ASSERT_TRUE(again.ok()) << CompressHostlist(*hosts);
    EXPECT_EQ(*again, *hosts);
  }
  EXPECT_GT(parsed, kRounds / 50);
}

TEST(SlurmRobustnessTest, ScriptsNeverCrash) {
  RandomText text(23);
  const BatchParseOptions options = TestParseOptions();
  for (int i = 0; i < kRounds / 4; ++i) {
    const std::string script = "#!/bin/sh\n#SBATCH " +
                               text.Next(" -=\"'#\\NntJ0123:G--time--mem4Gnodes\nhetjob", 40) +
                               "\nsrun x\n";
    (void)ParseBatchSubmission(script, {}, options);
  }
}

}  // namespace
}  // namespace suanli::slurm
