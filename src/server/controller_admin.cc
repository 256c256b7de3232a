// Tenants, users and tokens on the user API: TenantDirectory decides who may do what, this file
// turns its answers into replies and keeps the budgets and the scheduler in step with a change.
#include <algorithm>

#include "server/controller.h"

namespace suanli::server {

ApiReply Controller::CreateTenant(const Principal& p, store::TenantRecord t) {
  if (Status s = directory_.CheckCreate(p, t); !s.ok()) return ErrorReply(s);
  t.created = Now();
  directory_.AddTenant(t, &batch_);
  accounting_.OpenBudget(t.name, t.budget_period, t.created);
  schedule_wanted_ = true;
  return JsonReply(201, TenantJson(t, 0.0, t.created));
}

ApiReply Controller::UpdateTenant(const Principal& p, const std::string& name,
                                  const TenantUpdate& u) {
  auto updated = directory_.Updated(p, name, u);
  if (!updated.ok()) return ErrorReply(updated.status());
  const store::TenantRecord& t = *updated;
  const TimeMs now = Now();
  if (t.budget_period != directory_.Find(name)->budget_period) {
    // The ledger holds the old period's window; a failed rebuild leaves the tenant as it was.
    Status s = accounting_.ReopenBudget(name, t.budget_period, now, store_, batch_.usage);
    if (!s.ok()) return ErrorReply(s);
  }
  directory_.Replace(t, &batch_);
  schedule_wanted_ = true;
  double running = 0;
  const TimeMs from = accounting_.Budget(name, now)->window.start;
  for (const auto& [id, job] : jobs_.active()) {
    bool holding = job.state == JobState::kStarting || job.state == JobState::kRunning;
    if (holding && directory_.InSubtree(job.tenant, name)) {
      running += Accounting::AccelHoursSince(job, from, now);
    }
  }
  return JsonReply(200, TenantJson(t, running, now));
}

ApiReply Controller::DeleteTenant(const Principal& p, const std::string& name) {
  if (Status st = directory_.CheckDelete(p, name); !st.ok()) return ErrorReply(st);
  int64_t unfinished = 0;
  for (const auto& [id, job] : jobs_.active()) unfinished += job.tenant == name;
  if (unfinished > 0) {
    return ErrorReply(FailedPrecondition("tenant '" + name + "' has " + std::to_string(unfinished) +
                                         " unfinished job(s): cancel them or wait"));
  }
  accounting_.AdvanceUsage(Now());
  accounting_.ForgetTenant(directory_.IndexOf(name));
  std::vector<std::string> users = directory_.Remove(name, &batch_);
  view_valid_ = false;  // tenant indices moved: the next pass rebuilds the core view
  schedule_wanted_ = true;
  return JsonReply(200, json{{"deleted", name}, {"deleted_users", users}});
}

ApiReply Controller::SetNodeDraining(const Principal& p, const std::string& name, bool draining) {
  if (p.role != Role::kAdmin) {
    return ErrorReply(PermissionDenied("only an admin drains or resumes nodes"));
  }
  if (!nodes_.SetDraining(name, draining, &batch_)) {
    return ErrorReply(NotFound("node '" + name + "' is not registered"));
  }
  schedule_wanted_ = true;  // capacity moved: the next pass offers (or withholds) the node
  const auto* n = nodes_.Find(name);
  int running = 0;
  for (const auto& [id, job] : jobs_.active()) {
    if (job.state != JobState::kStarting && job.state != JobState::kRunning) continue;
    for (const auto& t : job.placement) running += t.node == name && !t.exited;
  }
  return JsonReply(200, json{{"name", name},
                             {"draining", n->rec.draining},
                             {"up", n->up},
                             {"running_tasks", running}});
}

ApiReply Controller::CreateUser(const Principal& p, const UserRequest& req) {
  auto u = directory_.CreateUser(p, req, Now(), &batch_);
  if (!u.ok()) return ErrorReply(u.status());
  return JsonReply(201, json{{"name", u->name}, {"tenant", u->tenant}, {"role", u->role}});
}

ApiReply Controller::ListUsers(const Principal& p) {
  json users = json::array();
  for (const auto& [name, u] : directory_.users()) {
    if (!directory_.CanManageUser(p, u)) continue;
    users.push_back(json{{"name", u.name},
                         {"tenant", u.tenant},
                         {"role", u.role},
                         {"created", u.created / 1000.0},
                         {"active_tokens", directory_.ActiveTokenCount(name)}});
  }
  return JsonReply(200, json{{"users", users}});
}

ApiReply Controller::CreateToken(const Principal& p, const std::string& user) {
  auto issued = directory_.IssueToken(p, user, Now(), &batch_);
  if (!issued.ok()) return ErrorReply(issued.status());
  return JsonReply(
      201,
      json{{"id", issued->record.id}, {"token", issued->token}, {"user", issued->record.user}});
}

ApiReply Controller::RevokeToken(const Principal& p, int64_t id) {
  auto t = directory_.RevokeToken(p, id, &batch_);
  if (!t.ok()) return ErrorReply(t.status());
  return JsonReply(200, json{{"id", id}, {"user", t->user}, {"revoked", true}});
}

ApiReply Controller::WhoAmI(const Principal& p) {
  return JsonReply(200, json{{"user", p.user}, {"tenant", p.tenant}, {"role", RoleName(p.role)}});
}

}  // namespace suanli::server
