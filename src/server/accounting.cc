#include "server/accounting.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace suanli::server {

// ---- Decayed usage ----

int64_t Accounting::UsageRateMilli(const store::JobRecord& job) {
  int64_t accel = 0, cpu = 0;
  for (const auto& t : job.placement) {
    accel += t.accel_milli;
    cpu += static_cast<int64_t>(std::llround(t.cpus * 1000.0));
  }
  return accel > 0 ? accel : cpu;
}

void Accounting::AdvanceUsage(TimeMs now) {
  const auto& tenants = tenants_->tenants();
  if (usage_tenants_.size() != tenants.size()) {  // a tenant was added (parents never change)
    usage_tenants_.assign(tenants.size(), core::Tenant{});
    for (size_t i = 0; i < tenants.size(); ++i) {
      usage_tenants_[i].parent = tenants_->IndexOf(tenants[i].parent);
    }
  }
  usage_rate_milli_.resize(tenants.size(), 0);
  usage_rate_.resize(tenants.size());
  for (size_t i = 0; i < usage_rate_.size(); ++i) usage_rate_[i] = usage_rate_milli_[i] / 1000.0;
  usage_tracker_.Advance(usage_tenants_, usage_rate_, now);
}

void Accounting::ChangeUsageRate(const store::JobRecord& job, int sign) {
  const int32_t t = tenants_->IndexOf(job.tenant);
  if (t < 0) return;
  usage_rate_milli_.resize(tenants_->tenants().size(), 0);
  usage_rate_milli_[t] += sign * UsageRateMilli(job);
}

void Accounting::ForgetTenant(int32_t index) {
  auto drop = [index](auto& v) {
    if (index >= 0 && static_cast<size_t>(index) < v.size()) v.erase(v.begin() + index);
  };
  std::vector<double> values = usage_tracker_.values();
  drop(values);
  usage_tracker_.Restore(std::move(values), usage_tracker_.last());
  drop(usage_rate_milli_);
  usage_tenants_.clear();  // parents are indices: recomputed at the next AdvanceUsage
}

std::string Accounting::EncodeUsage() const {
  nlohmann::json usage = nlohmann::json::object();
  const auto& values = usage_tracker_.values();
  const auto& tenants = tenants_->tenants();
  for (size_t i = 0; i < tenants.size() && i < values.size(); ++i) {
    usage[tenants[i].name] = values[i];
  }
  return nlohmann::json{{"t", usage_tracker_.last()}, {"usage", usage}}.dump();
}

Status Accounting::RestoreUsage(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("t") || !j["t"].is_number_integer() || !j.contains("usage") ||
      !j["usage"].is_object()) {
    return Internal("the stored decayed usage is not readable: " + text.substr(0, 200));
  }
  std::vector<double> values(tenants_->tenants().size(), 0.0);
  for (const auto& [name, v] : j["usage"].items()) {
    const int32_t t = tenants_->IndexOf(name);
    if (t >= 0 && v.is_number()) values[t] = v.get<double>();
  }
  usage_tracker_.Restore(std::move(values), j["t"].get<TimeMs>());
  return Status::Ok();
}

// ---- Finished attempts ----

double Accounting::RecordAttempt(const store::JobRecord& job, TimeMs end, store::WriteBatch* out) {
  if (job.start_time < 0 || job.placement.empty()) return 0;
  std::vector<core::TaskHolding> held;
  for (const auto& t : job.placement) {
    held.push_back({t.cpus, t.mem_mb, t.accel_milli / 1000.0, t.gpu_type});
  }
  core::ResourceSeconds used = core::Measure(held, job.start_time, end);
  store::UsageRecord u;
  u.job_id = job.id;
  u.attempt = job.attempt;
  u.tenant = job.tenant;
  u.user = job.user;
  u.start_time = job.start_time;
  u.end_time = end;
  u.cpu_s = used.cpu_s;
  u.mem_mb_s = used.mem_mb_s;
  u.accel_s = used.accel_s;
  u.cost = core::Cost(used, prices_);
  accel_hours_[job.tenant] += used.AccelSeconds() / 3600.0;
  ChargeBudgets(job.tenant, job.start_time, end, used.AccelSeconds());
  double cost = u.cost;
  out->usage.push_back(std::move(u));
  return cost;
}

void Accounting::LoadFinished(const store::UsageRecord& u) {
  accel_hours_[u.tenant] += u.AccelSeconds() / 3600.0;
  ChargeBudgets(u.tenant, u.start_time, u.end_time, u.AccelSeconds());
}

double Accounting::AllTimeAccelHours(const std::string& tenant) const {
  auto it = accel_hours_.find(tenant);
  return it == accel_hours_.end() ? 0.0 : it->second;
}

// ---- Budgets ----

void Accounting::ChargeBudgets(const std::string& tenant, TimeMs start, TimeMs end,
                               double accel_seconds) {
  for (const std::string& h : tenants_->Ancestry(tenant)) {
    budget_.AddFinished(h, start, end, accel_seconds);
  }
}

void Accounting::OpenBudget(const std::string& tenant, core::BudgetPeriod period, TimeMs now) {
  budget_.Open(tenant, period, now);
}

Status Accounting::ReopenBudget(const std::string& tenant, core::BudgetPeriod period, TimeMs now,
                                store::Store* store,
                                const std::vector<store::UsageRecord>& uncommitted) {
  // Read before changing anything, so a failed read leaves the window as it was.
  const core::PeriodWindow window = core::PeriodAt(period, now);
  store::UsageQuery q;
  for (const auto& other : tenants_->tenants()) {
    if (tenants_->InSubtree(other.name, tenant)) q.tenants.push_back(other.name);
  }
  q.since = window.bounded() ? window.start : 0;
  SUANLI_ASSIGN_OR_RETURN(const std::vector<store::UsageRecord> stored, store->QueryUsage(q));
  budget_.Open(tenant, period, now);
  for (const auto* records : {&stored, &uncommitted}) {
    for (const auto& r : *records) {
      if (tenants_->InSubtree(r.tenant, tenant) && r.end_time >= q.since) {
        budget_.AddFinished(tenant, r.start_time, r.end_time, r.AccelSeconds());
      }
    }
  }
  return Status::Ok();
}

double Accounting::AccelHoursSince(const store::JobRecord& job, TimeMs from, TimeMs now) {
  const TimeMs start = std::max(job.start_time, from);
  if (job.start_time < 0 || now <= start) return 0;
  double devices = 0;
  for (const auto& t : job.placement) {
    if (!t.gpu_type.empty()) devices += t.accel_milli / 1000.0;  // as core::Measure counts them
  }
  return devices * static_cast<double>(now - start) / 3'600'000.0;
}

}  // namespace suanli::server
