// The in-memory fake Store: same behaviour as SQLite, nothing durable. Used by tests and as the
// reference the store suite checks the SQLite implementation against.
#include <algorithm>
#include <mutex>
#include <tuple>

#include "store/store.h"

namespace suanli::store {
namespace {

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

class MemoryStore final : public Store {
 public:
  Status Commit(const WriteBatch& b) override {
    std::lock_guard lock(mu_);
    for (const auto& t : b.tenants) tenants_[t.name] = t;
    for (const auto& u : b.users) users_[u.name] = u;
    for (const auto& t : b.tokens) tokens_[t.id] = t;
    for (const auto& n : b.nodes) nodes_[n.name] = n;
    for (const auto& j : b.jobs) {
      jobs_[j.id] = j;
      if (!j.spec.idempotency_key.empty()) {
        // The lowest id holding the key answers, as the SQL stores' ORDER BY id LIMIT 1 does.
        auto [it, inserted] = idem_.emplace(std::make_pair(j.user, j.spec.idempotency_key), j.id);
        if (!inserted) it->second = std::min(it->second, j.id);
      }
      max_id_ = std::max(max_id_, j.id);
    }
    for (const auto& u : b.usage) usage_[{u.end_time, u.job_id, u.attempt}] = u;
    for (const auto& s : b.samples) samples_[s.time] = s;
    for (const auto& [k, v] : b.meta) meta_[k] = v;
    for (const auto& name : b.deleted_tenants) tenants_.erase(name);
    for (const auto& name : b.deleted_users) users_.erase(name);
    return Status::Ok();
  }

  Result<Snapshot> Load() override {
    std::lock_guard lock(mu_);
    Snapshot s;
    for (const auto& [k, v] : tenants_) s.tenants.push_back(v);
    for (const auto& [k, v] : users_) s.users.push_back(v);
    for (const auto& [k, v] : tokens_) s.tokens.push_back(v);
    for (const auto& [k, v] : nodes_) s.nodes.push_back(v);
    for (const auto& [k, v] : jobs_) {
      if (!IsTerminal(v.state)) s.active_jobs.push_back(v);
    }
    s.meta = meta_;
    s.max_job_id = max_id_;
    return s;
  }

  Result<std::optional<JobRecord>> GetJob(JobId id) override {
    std::lock_guard lock(mu_);
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return std::optional<JobRecord>();
    return std::optional<JobRecord>(it->second);
  }

  Result<std::vector<JobRecord>> ListJobs(const JobQuery& q) override {
    std::lock_guard lock(mu_);
    std::vector<JobRecord> out;
    for (auto it = jobs_.rbegin(); it != jobs_.rend(); ++it) {
      if (static_cast<int64_t>(out.size()) >= q.limit) break;
      const JobRecord& j = it->second;
      if (q.before_id > 0 && j.id >= q.before_id) continue;
      if (!q.states.empty() &&
          std::find(q.states.begin(), q.states.end(), j.state) == q.states.end()) {
        continue;
      }
      if (!q.tenants.empty() && !Contains(q.tenants, j.tenant)) continue;
      if (!q.user.empty() && j.user != q.user) continue;
      out.push_back(j);
    }
    return out;
  }

  Result<std::optional<JobId>> FindByIdempotencyKey(const std::string& user,
                                                    const std::string& key) override {
    std::lock_guard lock(mu_);
    auto it = idem_.find({user, key});
    if (it == idem_.end()) return std::optional<JobId>();
    return std::optional<JobId>(it->second);
  }

  Result<std::vector<UsageRecord>> QueryUsage(const UsageQuery& q) override {
    std::lock_guard lock(mu_);
    std::vector<UsageRecord> out;
    for (const auto& [k, u] : usage_) {
      if (u.end_time < q.since) continue;
      if (q.until > 0 && u.end_time >= q.until) continue;
      if (!q.tenants.empty() && !Contains(q.tenants, u.tenant)) continue;
      if (!q.user.empty() && u.user != q.user) continue;
      out.push_back(u);
    }
    return out;
  }

  Result<std::vector<UtilizationSample>> LoadSamples(TimeMs since, int64_t limit) override {
    std::lock_guard lock(mu_);
    std::vector<UtilizationSample> out;
    for (auto it = samples_.rbegin(); it != samples_.rend(); ++it) {
      if (it->first < since || static_cast<int64_t>(out.size()) >= limit) break;
      out.push_back(it->second);
    }
    std::reverse(out.begin(), out.end());
    return out;
  }

  int schema_version() const override { return kLatestSchemaVersion; }

 private:
  std::mutex mu_;
  std::map<std::string, TenantRecord> tenants_;
  std::map<std::string, UserRecord> users_;
  std::map<int64_t, TokenRecord> tokens_;
  std::map<std::string, NodeRecord> nodes_;
  std::map<JobId, JobRecord> jobs_;
  std::map<std::pair<std::string, std::string>, JobId> idem_;
  std::map<std::tuple<TimeMs, JobId, int32_t>, UsageRecord> usage_;
  std::map<TimeMs, UtilizationSample> samples_;
  std::map<std::string, std::string> meta_;
  JobId max_id_ = 0;
};

}  // namespace

std::unique_ptr<Store> NewMemoryStore() { return std::make_unique<MemoryStore>(); }

}  // namespace suanli::store
