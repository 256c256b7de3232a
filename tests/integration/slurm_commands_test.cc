// Issue #13 end to end: the Slurm commands, called through the links install-slurm-commands
// makes, against a real `suanli up` with its local agent.
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <thread>

#include "support/up_fixture.h"

namespace suanli::it {
namespace {

// A directory under /var/tmp (jobs see a private /tmp), removed at the end of the test.
struct SharedTempDir {
  explicit SharedTempDir(const char* stem) {
    std::string tmpl = std::string("/var/tmp/") + stem + "-XXXXXX";
    path = mkdtemp(tmpl.data()) ? tmpl : "";
  }
  ~SharedTempDir() {
    if (!path.empty()) std::filesystem::remove_all(path);
  }
  std::string path;
};

class SlurmCommandsTest : public UpTest {
 protected:
  // Links sbatch, squeue, ... into dir()/bin and returns that directory.
  std::string InstallLinks() {
    std::string bin = dir() + "/bin";
    auto out = up().Cli({"install-slurm-commands", "--prefix", bin});
    EXPECT_EQ(out.exit.exit_code, 0) << out.Describe();
    return bin;
  }
  // Runs in `cwd` when given, as a user runs sbatch from their own directory.
  CommandOutput Slurm(const std::string& bin, const std::string& command,
                      std::vector<std::string> args, const std::string& cwd = "") {
    args.insert(args.begin(), bin + "/" + command);
    if (!cwd.empty()) args.insert(args.begin(), {"/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", cwd});
    return RunCommand(args, {{"SUANLI_URL", up().url()}, {"SUANLI_TOKEN", up().admin_token()}},
                      std::chrono::seconds(30));
  }
};

TEST_F(SlurmCommandsTest, CorpusScriptRunsThroughSbatchSqueueAndSacct) {
  START_UP();
  ASSERT_TRUE(HasUpNode(up())) << "the local agent never came UP";
  std::string bin = InstallLinks();
  // short_attached.sh runs `hostname; nvidia-smi`; this machine has no GPU, so a stand-in
  // nvidia-smi goes first on the job's PATH. Jobs run as an unprivileged account when root
  // submits: it must be able to reach and run it.
  SharedTempDir shared("suanli-it-slurm");
  ASSERT_FALSE(shared.path.empty());
  const std::string& fake = shared.path;
  WriteFile(fake + "/nvidia-smi", "#!/bin/sh\necho 'No devices were found (stand-in)'\n");
  chmod((fake + "/nvidia-smi").c_str(), 0755);
  // The script's -oquick-%j.txt lands where sbatch ran, written by the job's account.
  chmod(fake.c_str(), 0777);
  std::string script = SourceDir() + "/tests/slurm/scripts/short_attached.sh";
  auto submit = Slurm(bin, "sbatch", {"--export=PATH=" + fake + ":/usr/bin:/bin", script}, fake);
  ASSERT_EQ(submit.exit.exit_code, 0) << submit.Describe();
  ASSERT_EQ(submit.out.rfind("Submitted batch job ", 0), 0u) << submit.Describe();
  std::string id = Trim(submit.out.substr(std::string("Submitted batch job ").size()));
  // -p debug is no partition here: said, as sbatch would. -o is honoured, so not warned.
  EXPECT_NE(submit.err.find("sbatch: warning: partition 'debug'"), std::string::npos)
      << submit.Describe();
  EXPECT_EQ(submit.err.find("--output"), std::string::npos) << submit.Describe();

  auto queue = Slurm(bin, "squeue", {"-j", id});
  EXPECT_EQ(queue.exit.exit_code, 0) << queue.Describe();
  EXPECT_EQ(queue.out.rfind("             JOBID PARTITION     NAME     USER ST       TIME  NODES "
                            "NODELIST(REASON)\n",
                            0),
            0u)
      << queue.out;
  EXPECT_NE(queue.out.find(" quick "), std::string::npos) << queue.out;

  std::string row;
  for (int i = 0; i < 150; ++i) {
    auto acct = Slurm(bin, "sacct", {"-j", id, "-P", "-n", "-o", "JobID,JobName,State,ExitCode"});
    ASSERT_EQ(acct.exit.exit_code, 0) << acct.Describe();
    row = Trim(acct.out);
    if (row.find("COMPLETED") != std::string::npos || row.find("FAILED") != std::string::npos)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(row, id + "|quick|COMPLETED|0:0") << up().Cli({"logs", id, "--stderr"}).Describe();
  auto logs = up().Cli({"logs", id});
  EXPECT_NE(logs.out.find("stand-in"), std::string::npos) << logs.Describe();
  EXPECT_NE(ReadFileOr(fake + "/quick-" + id + ".txt").find("stand-in"), std::string::npos)
      << "the job's own -o file";

  auto mine = Slurm(bin, "sacct", {"-X", "-n", "-P", "-o", "JobID,State,User"});
  EXPECT_NE(mine.out.find(id + "|COMPLETED|admin"), std::string::npos) << mine.Describe();
}

TEST_F(SlurmCommandsTest, BrokenScriptFailsTestOnlyWithItsLine) {
  START_UP({"--no-agent"});
  std::string bin = InstallLinks();
  auto bad = Slurm(bin, "sbatch",
                   {"--test-only", SourceDir() + "/tests/slurm/scripts/broken/bad_time.sh"});
  EXPECT_EQ(bad.exit.exit_code, 1) << bad.Describe();
  EXPECT_EQ(bad.err.rfind("sbatch: error: line 4: --time: invalid time '1:30:00:00'", 0), 0u)
      << bad.Describe();
  auto good = Slurm(bin, "sbatch",
                    {"--test-only", SourceDir() + "/tests/slurm/scripts/hf_trainer_single_gpu.sh"});
  EXPECT_EQ(good.exit.exit_code, 0) << good.Describe();
  EXPECT_NE(good.out.find("\"mem_mb\": 65536"), std::string::npos) << good.Describe();
  auto queue = up().Cli({"queue", "--all", "--json"});
  EXPECT_EQ(nlohmann::json::parse(queue.out)["jobs"].size(), 0u) << "nothing was submitted";
}

// A shared directory the jobs' unprivileged account can write (jobs see a private /tmp).
struct SharedDir {
  std::string path;
  SharedDir() {
    char tmpl[] = "/var/tmp/suanli-it-gates-XXXXXX";
    EXPECT_NE(mkdtemp(tmpl), nullptr);
    path = tmpl;
    chmod(path.c_str(), 0777);
  }
  ~SharedDir() { std::filesystem::remove_all(path); }
};

// The most tasks that ran at once, from the "start T" / "end T" marks each task wrote.
int MostAtOnce(const std::string& dir, int* tasks_seen) {
  std::vector<std::pair<double, int>> events;  // time, +1 start / -1 end
  *tasks_seen = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".mark") continue;
    std::istringstream in(ReadFileOr(e.path().string()));
    std::string word;
    double t = 0;
    while (in >> word >> t) events.emplace_back(t, word == "start" ? 1 : -1);
    ++*tasks_seen;
  }
  std::sort(events.begin(), events.end());  // an end before a start at the same instant
  int now = 0, most = 0;
  for (const auto& [t, d] : events) most = std::max(most, now += d);
  return most;
}

TEST_F(SlurmCommandsTest, ArrayThrottleAndDependencyChainRunRealJobs) {
  START_UP({"--cpus", "8"});
  ASSERT_TRUE(HasUpNode(up())) << "the local agent never came UP";
  std::string bin = InstallLinks();
  SharedDir shared;
  // Eight CPUs hold six one-CPU tasks at once: only the %2 throttle keeps them to two.
  const std::string array_script = shared.path + "/array.sh";
  WriteFile(array_script,
            "#!/bin/bash\n"
            "#SBATCH --array=0-5%2 -J sweep -c 1 --mem=64M --hold\n"
            "m=" +
                shared.path +
                "/task-$SLURM_ARRAY_TASK_ID.mark\n"
                "echo start $(date +%s.%N) > $m\n"
                "sleep 0.4\n"
                "echo end $(date +%s.%N) >> $m\n");
  auto sub = Slurm(bin, "sbatch", {"--parsable", array_script});
  ASSERT_EQ(sub.exit.exit_code, 0) << sub.Describe();
  const std::string array_id = Trim(sub.out);
  // Held: squeue shows the pending tasks as one row, as Slurm does.
  auto held = Slurm(bin, "squeue", {"-h", "-o", "%i %t %r"});
  EXPECT_EQ(held.out, array_id + "_[0-5%2] PD JobHeldUser\n") << held.Describe();
  // The chain: after the whole array succeeded, and a job for its failure that never runs.
  const std::string after_script = shared.path + "/after.sh";
  WriteFile(after_script,
            "#!/bin/bash\n"
            "echo \"$SLURM_JOB_ID $SLURM_JOB_NODELIST $SLURM_PROCID $(pwd)\" > " +
                shared.path + "/after.out\n");
  auto ok = Slurm(bin, "sbatch",
                  {"--parsable", "-J", "collect", "-c", "1", "--mem=64M", "-D", shared.path,
                   "--dependency=afterok:" + array_id, after_script});
  ASSERT_EQ(ok.exit.exit_code, 0) << ok.Describe();
  auto notok = Slurm(bin, "sbatch",
                     {"--parsable", "-J", "cleanup", "--mem=64M",
                      "--dependency=afternotok:" + array_id, "--wrap", "true"});
  ASSERT_EQ(notok.exit.exit_code, 0) << notok.Describe();
  auto waiting = Slurm(bin, "squeue", {"-h", "-j", Trim(ok.out), "-o", "%i %r"});
  EXPECT_EQ(waiting.out, Trim(ok.out) + " Dependency\n") << waiting.Describe();
  auto bad = Slurm(bin, "sbatch", {"--dependency=afterok:999999", "--wrap", "true"});
  EXPECT_EQ(bad.exit.exit_code, 1) << bad.Describe();
  EXPECT_NE(bad.err.find("does not exist"), std::string::npos) << bad.Describe();

  auto release = Slurm(bin, "scontrol", {"release", array_id});
  ASSERT_EQ(release.exit.exit_code, 0) << release.Describe();
  nlohmann::json collected = WaitForState(std::stoll(Trim(ok.out)), "COMPLETED,FAILED,CANCELLED",
                                          std::chrono::seconds(60));
  EXPECT_EQ(collected["state"], "COMPLETED") << collected.dump();
  int seen = 0;
  EXPECT_EQ(MostAtOnce(shared.path, &seen), 2) << "the throttle is %2";
  EXPECT_EQ(seen, 6);
  std::istringstream line(ReadFileOr(shared.path + "/after.out"));
  std::string job_id, nodelist, procid, cwd;
  line >> job_id >> nodelist >> procid >> cwd;
  EXPECT_EQ(job_id, Trim(ok.out));
  EXPECT_FALSE(nodelist.empty());
  EXPECT_EQ(procid, "0");
  EXPECT_EQ(cwd, shared.path) << "--chdir";
  nlohmann::json never = WaitForState(std::stoll(Trim(notok.out)), "CANCELLED");
  EXPECT_EQ(never["reason_code"], "DependencyNeverSatisfied") << never.dump();
  auto acct = Slurm(bin, "sacct", {"-j", array_id, "-n", "-P", "-o", "JobID,State"});
  EXPECT_NE(acct.out.find(array_id + "_5|COMPLETED"), std::string::npos) << acct.Describe();
}

TEST_F(SlurmCommandsTest, WrapParsableScancelSinfoAndScontrol) {
  START_UP({"--no-agent"});
  std::string bin = InstallLinks();
  auto a = Slurm(bin, "sbatch", {"--parsable", "-J", "sleeper", "--wrap", "sleep 60"});
  ASSERT_EQ(a.exit.exit_code, 0) << a.Describe();
  std::string id = Trim(a.out);
  auto b = up().Cli({"sbatch", "--parsable", "-J", "other", "--wrap", "true"});
  ASSERT_EQ(b.exit.exit_code, 0) << b.Describe();
  auto pending = Slurm(bin, "squeue", {"-h", "-t", "PD", "-o", "%i %j %t"});
  EXPECT_EQ(pending.out, id + " sleeper PD\n" + Trim(b.out) + " other PD\n") << pending.Describe();
  auto by_name = Slurm(bin, "scancel", {"-n", "sleeper"});
  EXPECT_EQ(by_name.exit.exit_code, 0) << by_name.Describe();
  EXPECT_EQ(Job(std::stoll(id))["state"], "CANCELLED");
  EXPECT_EQ(Job(std::stoll(Trim(b.out)))["state"], "PENDING");
  auto again = Slurm(bin, "scancel", {id});
  EXPECT_EQ(again.exit.exit_code, 1) << again.Describe();
  EXPECT_NE(again.err.find("already completing or completed"), std::string::npos);
  auto me = Slurm(bin, "squeue", {"--me", "-h", "-o", "%u"});
  EXPECT_EQ(me.out, "admin\n") << me.Describe();

  auto sinfo = Slurm(bin, "sinfo", {});
  EXPECT_EQ(sinfo.exit.exit_code, 0) << sinfo.Describe();
  EXPECT_EQ(sinfo.out.rfind("PARTITION AVAIL TIMELIMIT NODES STATE NODELIST\n", 0), 0u)
      << sinfo.out;
  auto hosts = RunCommand({bin + "/scontrol", "show", "hostnames"},
                          {{"SLURM_JOB_NODELIST", "gpu[01-02],login"}});
  EXPECT_EQ(hosts.out, "gpu01\ngpu02\nlogin\n") << hosts.Describe();
  auto show = Slurm(bin, "scontrol", {"show", "job", id});
  EXPECT_NE(show.out.find("JobId=" + id + " JobName=sleeper"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("JobState=CANCELLED"), std::string::npos) << show.out;
  auto salloc = Slurm(bin, "salloc", {"-N1"});
  EXPECT_EQ(salloc.exit.exit_code, 1);
  EXPECT_NE(salloc.err.find("not supported by Suanli yet"), std::string::npos);
}

TEST_F(SlurmCommandsTest, SrunRunsOneJobAndStreamsItsOutput) {
  START_UP();
  ASSERT_TRUE(HasUpNode(up()));
  std::string bin = InstallLinks();
  auto ok = Slurm(bin, "srun", {"-J", "hi", "sh", "-c", "echo hello from 'srun'"});
  EXPECT_EQ(ok.exit.exit_code, 0) << ok.Describe();
  EXPECT_EQ(ok.out, "hello from srun\n") << ok.Describe();
  auto failed = Slurm(bin, "srun", {"sh", "-c", "echo oops >&2; exit 3"});
  EXPECT_EQ(failed.exit.exit_code, 3) << failed.Describe();
  EXPECT_NE(failed.err.find("oops"), std::string::npos) << failed.Describe();
  EXPECT_NE(failed.err.find("srun: error: job"), std::string::npos) << failed.Describe();
  auto inside =
      RunCommand({bin + "/srun", "hostname"}, {{"SUANLI_URL", up().url()}, {"SLURM_JOB_ID", "5"}});
  EXPECT_EQ(inside.exit.exit_code, 1);
  EXPECT_NE(inside.err.find("inside an allocation (job steps) is not supported"), std::string::npos)
      << inside.Describe();
}

TEST_F(SlurmCommandsTest, SignalBeforeTheTimeLimitIsCaughtByTheScriptsTrap) {
  START_UP();
  ASSERT_TRUE(HasUpNode(up())) << "the local agent never came UP";
  std::string bin = InstallLinks();
  // 10 s limit, USR1 to the batch shell 6 s before it: the trap ends the job cleanly at ~4 s.
  std::string script = dir() + "/trap.sh";
  WriteFile(script,
            "#!/bin/bash\n"
            "#SBATCH --job-name=trap --time=0:10\n"
            "#SBATCH --signal=B:USR1@6\n"
            "trap 'echo caught USR1 after ${SECONDS}s; kill $child; exit 0' USR1\n"
            "echo started\n"
            "sleep 60 & child=$!\n"
            "wait $child\n"
            "echo not reached\n");
  auto submit = Slurm(bin, "sbatch", {"--parsable", script});
  ASSERT_EQ(submit.exit.exit_code, 0) << submit.Describe();
  EXPECT_EQ(submit.err.find("--signal"), std::string::npos) << "no longer warned: " << submit.err;
  const int64_t id = std::stoll(Trim(submit.out));
  EXPECT_EQ(Job(id)["advance_signal"], "B:USR1@6");
  nlohmann::json job =
      WaitForState(id, "COMPLETED,FAILED,TIMEOUT,CANCELLED", std::chrono::seconds(40));
  auto logs = up().Cli({"logs", std::to_string(id)});
  EXPECT_EQ(job["state"], "COMPLETED") << job.dump() << "\n" << logs.Describe();
  EXPECT_NE(logs.out.find("caught USR1 after"), std::string::npos) << logs.Describe();
  EXPECT_EQ(logs.out.find("not reached"), std::string::npos) << logs.Describe();
  EXPECT_LT(job["end_time"].get<double>() - job["start_time"].get<double>(), 9.0)
      << "it ran into its limit instead";
  // A bad value is named as the option, and nothing is submitted.
  auto bad = up().Cli({"submit", "--signal", "B:NOPE@5", "--", "true"});
  EXPECT_EQ(bad.exit.exit_code, 2) << bad.Describe();
  EXPECT_NE(bad.err.find("--signal"), std::string::npos) << bad.err;
}

// --output/--error as scripts use them: the job writes its own files, as its account, expanded per
// array task; --open-mode=append keeps what was there (and `suanli logs` shows only this run's);
// a file the account may not create fails the job naming it.
TEST_F(SlurmCommandsTest, OutputAndErrorFilesAreTheJobsOwnPerArrayTask) {
  START_UP();
  ASSERT_TRUE(HasUpNode(up())) << "the local agent never came UP";
  std::string bin = InstallLinks();
  SharedTempDir shared("suanli-it-output");
  ASSERT_FALSE(shared.path.empty());
  const std::string& work = shared.path;
  std::filesystem::create_directories(work + "/logs");
  chmod(work.c_str(), 0777);
  chmod((work + "/logs").c_str(), 0777);
  auto submit = Slurm(bin, "sbatch",
                      {"--parsable", "--array=0-1", "-J", "arr", "-o", "logs/%x-%A_%a.out", "-e",
                       "logs/%x-%A_%a.err", "--wrap",
                       "echo out $SLURM_ARRAY_TASK_ID; echo err $SLURM_ARRAY_TASK_ID >&2"},
                      work);
  ASSERT_EQ(submit.exit.exit_code, 0) << submit.Describe();
  EXPECT_EQ(submit.err.find("--output"), std::string::npos) << submit.Describe();
  const int64_t first = std::stoll(Trim(submit.out));
  for (int64_t id : {first, first + 1}) {
    nlohmann::json job = WaitForState(id, "COMPLETED,FAILED,CANCELLED", std::chrono::seconds(30));
    EXPECT_EQ(job["state"], "COMPLETED") << job.dump();
    EXPECT_EQ(job["output"], work + "/logs/%x-%A_%a.out") << "made absolute where sbatch ran";
  }
  for (int task : {0, 1}) {
    const std::string stem =
        work + "/logs/arr-" + std::to_string(first) + "_" + std::to_string(task);
    EXPECT_EQ(ReadFileOr(stem + ".out"), "out " + std::to_string(task) + "\n");
    EXPECT_EQ(ReadFileOr(stem + ".err"), "err " + std::to_string(task) + "\n");
    struct stat st {};
    ASSERT_EQ(stat((stem + ".out").c_str(), &st), 0);
    EXPECT_NE(st.st_uid, 0u) << "created by the job's unprivileged account, not by root";
  }

  // Appending: the earlier run's content stays in the file (the job's account made it: a file it
  // does not own is not read into the log), and the job's log holds only its own run.
  const std::string appended = work + "/logs/again.out";
  std::string again;
  for (const char* run : {"first", "second"}) {
    std::vector<std::string> args = {"--parsable", "-o", appended, "--wrap",
                                     std::string("echo ") + run + " run"};
    if (std::string(run) == "second") args.insert(args.begin() + 1, "--open-mode=append");
    submit = Slurm(bin, "sbatch", args, work);
    ASSERT_EQ(submit.exit.exit_code, 0) << submit.Describe();
    again = Trim(submit.out);
    WaitForState(std::stoll(again), "COMPLETED,FAILED,CANCELLED", std::chrono::seconds(30));
  }
  EXPECT_EQ(ReadFileOr(appended), "first run\nsecond run\n");
  auto logs = up().Cli({"logs", again});
  EXPECT_EQ(logs.out, "second run\n") << logs.Describe();

  // Where the account may not write: the job fails, and says which file. As root (jobs then run
  // as an unprivileged account) a directory only root may write shows the open is the job's own.
  std::string closed = "/proc/no-such";
  if (geteuid() == 0) {
    closed = work + "/roots-only";
    std::filesystem::create_directories(closed);
    chmod(closed.c_str(), 0755);
  }
  submit = Slurm(bin, "sbatch", {"--parsable", "-o", closed + "/%j.out", "--wrap", "true"}, work);
  ASSERT_EQ(submit.exit.exit_code, 0) << submit.Describe();
  nlohmann::json failed = WaitForState(std::stoll(Trim(submit.out)), "COMPLETED,FAILED,CANCELLED",
                                       std::chrono::seconds(30));
  EXPECT_EQ(failed["state"], "FAILED") << failed.dump();
  EXPECT_NE(failed.dump().find("cannot open the --output file " + closed + "/"), std::string::npos)
      << failed.dump();
  if (geteuid() == 0)
    EXPECT_TRUE(std::filesystem::is_empty(closed)) << "nothing made there by root";
}

TEST_F(SlurmCommandsTest, InstallRefusesToReplaceARealSlurm) {
  START_UP({"--no-agent"});
  std::string bin = dir() + "/slurm-bin";
  std::filesystem::create_directories(bin);
  WriteFile(bin + "/sbatch", "#!/bin/sh\necho real slurm\n");
  auto refused = up().Cli({"install-slurm-commands", "--prefix", bin});
  EXPECT_EQ(refused.exit.exit_code, 1) << refused.Describe();
  EXPECT_NE(refused.err.find("--force"), std::string::npos) << refused.Describe();
  EXPECT_FALSE(std::filesystem::exists(bin + "/squeue")) << "nothing is half installed";
  auto forced = up().Cli({"install-slurm-commands", "--prefix", bin, "--force"});
  EXPECT_EQ(forced.exit.exit_code, 0) << forced.Describe();
  EXPECT_TRUE(std::filesystem::is_symlink(bin + "/sbatch"));
  auto twice = up().Cli({"install-slurm-commands", "--prefix", bin});
  EXPECT_EQ(twice.exit.exit_code, 0) << "re-linking our own links needs no --force";
}

}  // namespace
}  // namespace suanli::it
