// Tenants, users and tokens: who may do what, enforced on the owner thread.
#include <algorithm>

#include "server/controller.h"

namespace suanli::server {

bool Controller::CanManageUser(const Principal& p, const store::UserRecord& u) const {
  switch (p.role) {
    case Role::kAdmin:
      return true;
    case Role::kTenantAdmin:
      // A tenant-admin never manages an admin, even one placed in their subtree (the built-in
      // admin lives in the root tenant): minting or revoking an admin's token would be privilege
      // escalation. Such users are invisible to them (callers answer 404).
      return u.role != "admin" && InSubtree(u.tenant, p.tenant);
    case Role::kMember:
      return u.name == p.user;
  }
  return false;
}

ApiReply Controller::CreateTenant(const Principal& p, store::TenantRecord t) {
  if (p.role == Role::kMember) {
    return ErrorReply(PermissionDenied("only admins and tenant-admins create tenants"));
  }
  if (t.parent.empty()) {
    if (p.role != Role::kAdmin) {
      return ErrorReply(PermissionDenied("only admins create top-level tenants; give a 'parent'"));
    }
  } else if (!tenant_by_name_.count(t.parent) || !CanSeeTenant(p, t.parent)) {
    return ErrorReply(NotFound("parent tenant '" + t.parent + "' does not exist"));
  }
  if (tenant_by_name_.count(t.name)) {
    return ErrorReply(AlreadyExists("tenant '" + t.name + "' already exists"));
  }
  t.created = Now();
  tenant_by_name_[t.name] = tenants_.size();
  tenants_.push_back(t);
  batch_.tenants.push_back(t);
  budget_.Open(t.name, t.budget_period, t.created);
  schedule_wanted_ = true;
  return JsonReply(201, TenantJson(t, 0.0, t.created));
}

ApiReply Controller::UpdateTenant(const Principal& p, const std::string& name,
                                  const TenantUpdate& u) {
  if (p.role == Role::kMember) {
    return ErrorReply(PermissionDenied("only admins and tenant-admins change tenants"));
  }
  auto it = tenant_by_name_.find(name);
  if (it == tenant_by_name_.end() || !CanSeeTenant(p, name)) {
    return ErrorReply(NotFound("tenant '" + name + "' does not exist"));
  }
  // As with creating: a tenant-admin manages the tenants below their own, never their own
  // (raising one's own quota or budget would be privilege escalation).
  if (p.role != Role::kAdmin && name == p.tenant) {
    return ErrorReply(PermissionDenied("tenant-admins change only the tenants below their own"));
  }
  store::TenantRecord t = tenants_[it->second];
  if (u.Has("weight")) t.weight = u.values.weight;
  if (u.Has("quota")) t.quota = u.values.quota;
  if (u.Has("limit")) t.limit = u.values.limit;
  if (u.Has("budget_accel_hours")) t.budget_accel_hours = u.values.budget_accel_hours;
  if (u.Has("budget_period")) t.budget_period = u.values.budget_period;
  const TimeMs now = Now();
  if (t.budget_period != tenants_[it->second].budget_period) {
    // The ledger holds the old period's window: rebuild the new one from the stored usage and
    // from attempts that ended in this commit group (not yet in the store). Read before changing
    // anything, so a failed read leaves the tenant as it was.
    // The budget covers the tenant's whole subtree.
    const core::PeriodWindow window = core::PeriodAt(t.budget_period, now);
    store::UsageQuery q;
    for (const auto& other : tenants_) {
      if (InSubtree(other.name, name)) q.tenants.push_back(other.name);
    }
    q.since = window.bounded() ? window.start : 0;
    auto stored = store_->QueryUsage(q);
    if (!stored.ok()) return ErrorReply(stored.status());
    budget_.Open(name, t.budget_period, now);
    for (const auto* records : {&*stored, &batch_.usage}) {
      for (const auto& r : *records) {
        if (InSubtree(r.tenant, name) && r.end_time >= q.since) {
          budget_.AddFinished(name, r.start_time, r.end_time, r.AccelSeconds());
        }
      }
    }
  }
  tenants_[it->second] = t;
  batch_.tenants.push_back(t);
  schedule_wanted_ = true;
  double running = 0;
  const TimeMs from = budget_.At(name, now)->window.start;
  for (const auto& [id, job] : active_) {
    bool holding = job.state == JobState::kStarting || job.state == JobState::kRunning;
    if (holding && InSubtree(job.tenant, name)) running += AccelHoursSince(job, from, now);
  }
  return JsonReply(200, TenantJson(t, running, now));
}

ApiReply Controller::CreateUser(const Principal& p, const UserRequest& req) {
  if (p.role == Role::kMember) {
    return ErrorReply(PermissionDenied("only admins and tenant-admins create users"));
  }
  if (!tenant_by_name_.count(req.tenant) || !CanSeeTenant(p, req.tenant)) {
    return ErrorReply(NotFound("tenant '" + req.tenant + "' does not exist"));
  }
  if (req.role == "admin" && p.role != Role::kAdmin) {
    return ErrorReply(PermissionDenied("only admins create admins"));
  }
  if (users_.count(req.name)) {
    return ErrorReply(AlreadyExists("user '" + req.name + "' already exists"));
  }
  store::UserRecord u{req.name, req.tenant, req.role, Now()};
  users_[u.name] = u;
  batch_.users.push_back(u);
  return JsonReply(201, json{{"name", u.name}, {"tenant", u.tenant}, {"role", u.role}});
}

ApiReply Controller::ListUsers(const Principal& p) {
  json users = json::array();
  for (const auto& [name, u] : users_) {
    if (!CanManageUser(p, u)) continue;
    int tokens = 0;
    for (const auto& [hash, t] : tokens_by_hash_) tokens += (t.user == name && !t.revoked) ? 1 : 0;
    users.push_back(json{{"name", u.name},
                         {"tenant", u.tenant},
                         {"role", u.role},
                         {"created", u.created / 1000.0},
                         {"active_tokens", tokens}});
  }
  return JsonReply(200, json{{"users", users}});
}

ApiReply Controller::CreateToken(const Principal& p, const std::string& user) {
  std::string name = user.empty() ? p.user : user;
  auto it = users_.find(name);
  if (it == users_.end() || !CanManageUser(p, it->second)) {
    return ErrorReply(NotFound("user '" + name + "' does not exist"));
  }
  return IssueToken(name, nullptr);
}

ApiReply Controller::RevokeToken(const Principal& p, int64_t id) {
  auto h = token_hash_by_id_.find(id);
  if (h == token_hash_by_id_.end()) {
    return ErrorReply(NotFound("token " + std::to_string(id) + " does not exist"));
  }
  store::TokenRecord& t = tokens_by_hash_.at(h->second);
  auto u = users_.find(t.user);
  if (u == users_.end() || !CanManageUser(p, u->second)) {
    return ErrorReply(NotFound("token " + std::to_string(id) + " does not exist"));
  }
  t.revoked = true;
  batch_.tokens.push_back(t);
  return JsonReply(200, json{{"id", id}, {"user", t.user}, {"revoked", true}});
}

ApiReply Controller::WhoAmI(const Principal& p) {
  return JsonReply(200, json{{"user", p.user}, {"tenant", p.tenant}, {"role", RoleName(p.role)}});
}

}  // namespace suanli::server
