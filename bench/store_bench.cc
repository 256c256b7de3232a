// The store alone, without HTTP: how long a group commit of B new jobs takes on SQLite (WAL,
// synchronous=FULL) and on a throw-away PostgreSQL server (fsync on), and the job rate that gives
// with one commit in flight. Prints figures; not a test.
//
//   store_bench [--batches N] [--batch B]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "pg_test_server.h"
#include "store/store.h"

using namespace suanli;

namespace {

store::JobRecord NewJob(int64_t id) {
  store::JobRecord j;
  j.id = id;
  j.tenant = "physics";
  j.user = "user" + std::to_string(id % 100);
  j.state = store::JobState::kPending;
  j.submit_time = 1763877600000 + id;
  j.spec.name = "train-" + std::to_string(id);
  j.spec.command = {"python", "train.py", "--epochs", "10"};
  j.spec.main.gpus = 1;
  j.spec.idempotency_key = "k-" + std::to_string(id);
  j.history.push_back({store::JobState::kPending, j.submit_time, "submitted"});
  return j;
}

void Measure(const char* label, store::Store& s, int batches, int batch) {
  std::vector<double> ms;
  int64_t id = 1;
  auto t0 = std::chrono::steady_clock::now();
  for (int b = 0; b < batches; ++b) {
    store::WriteBatch wb;
    for (int i = 0; i < batch; ++i) wb.jobs.push_back(NewJob(id++));
    auto s0 = std::chrono::steady_clock::now();
    Status st = s.Commit(wb);
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s0).count());
    if (!st.ok()) {
      std::fprintf(stderr, "%s: commit failed: %s\n", label, st.ToString().c_str());
      return;
    }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::sort(ms.begin(), ms.end());
  std::printf("%-34s %6d commits of %4d jobs: %8.0f jobs/s, commit ms p50 %.2f p99 %.2f\n", label,
              batches, batch, (id - 1) / secs, ms[ms.size() / 2], ms[ms.size() * 99 / 100]);
}

}  // namespace

int main(int argc, char** argv) {
  int batches = 200, batch = 50;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--batches") batches = std::stoi(argv[i + 1]);
    if (a == "--batch") batch = std::stoi(argv[i + 1]);
  }
  auto dir =
      std::filesystem::temp_directory_path() / ("suanli-store-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  {
    auto sqlite = store::OpenSqliteStore((dir / "suanli.db").string(), true);
    if (sqlite.ok()) Measure("sqlite (WAL, synchronous=FULL)", **sqlite, batches, batch);
  }
  std::filesystem::remove_all(dir);
  auto pg = pgtest::PgTestServer::Start(pgtest::PgTestServerOptions{.fsync = true});
  if (!pg.ok()) {
    std::fprintf(stderr, "postgresql: %s\n", pg.status().ToString().c_str());
    return 1;
  }
  auto uri = (*pg)->CreateDatabase("bench");
  auto store = uri.ok() ? store::OpenPostgresStore(*uri)
                        : Result<std::unique_ptr<store::Store>>(uri.status());
  if (!store.ok()) {
    std::fprintf(stderr, "postgresql: %s\n", store.status().ToString().c_str());
    return 1;
  }
  if (auto lead = (*store)->TryLead("http://bench"); !lead.ok() || !lead->is_me) {
    std::fprintf(stderr, "postgresql: cannot lead\n");
    return 1;
  }
  Measure("postgresql (fsync on, loopback)", **store, batches, batch);
  return 0;
}
