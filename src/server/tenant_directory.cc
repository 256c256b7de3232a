#include "server/tenant_directory.h"

#include <algorithm>
#include <tuple>

namespace suanli::server {

void TenantDirectory::Load(std::vector<store::TenantRecord> tenants,
                           std::vector<store::UserRecord> users,
                           std::vector<store::TokenRecord> tokens, std::string join_token_sha256) {
  std::sort(tenants.begin(), tenants.end(), [](const auto& a, const auto& b) {
    return std::tie(a.created, a.name) < std::tie(b.created, b.name);
  });
  for (auto& t : tenants) {
    tenant_by_name_[t.name] = tenants_.size();
    tenants_.push_back(std::move(t));
  }
  for (auto& u : users) users_[u.name] = std::move(u);
  for (auto& t : tokens) {
    next_token_id_ = std::max(next_token_id_, t.id + 1);
    token_hash_by_id_[t.id] = t.sha256_hex;
    tokens_by_hash_[t.sha256_hex] = std::move(t);
  }
  join_token_hash_ = std::move(join_token_sha256);
}

bool TenantDirectory::EnsureRootAndAdmin(TimeMs now, store::WriteBatch* out) {
  bool created_root = false;
  if (!Has(kRootTenant)) {
    store::TenantRecord root;
    root.name = kRootTenant;
    root.created = now;
    AddTenant(root, out);
    created_root = true;
  }
  if (!users_.count(kAdminUser)) {
    store::UserRecord admin{kAdminUser, kRootTenant, "admin", now};
    users_[admin.name] = admin;
    out->users.push_back(admin);
  }
  return created_root;
}

// ---- Tokens ----

store::TokenRecord TenantDirectory::NewToken(const std::string& user, TimeMs now,
                                             std::string* token, store::WriteBatch* out) {
  *token = GenerateToken();
  store::TokenRecord rec{next_token_id_++, user, Sha256Hex(*token), now, false};
  token_hash_by_id_[rec.id] = rec.sha256_hex;
  tokens_by_hash_[rec.sha256_hex] = rec;
  out->tokens.push_back(rec);
  return rec;
}

std::string TenantDirectory::EnsureAdminToken(const std::string& existing, TimeMs now,
                                              store::WriteBatch* out) {
  if (!existing.empty()) {
    auto it = tokens_by_hash_.find(Sha256Hex(existing));
    if (it != tokens_by_hash_.end() && !it->second.revoked && it->second.user == kAdminUser) {
      return existing;
    }
  }
  std::string token;
  NewToken(kAdminUser, now, &token, out);
  return token;
}

std::string TenantDirectory::EnsureJoinToken(const std::string& existing, store::WriteBatch* out) {
  if (IsJoinToken(existing)) return existing;
  if (!join_token_hash_.empty()) return "";
  std::string token = GenerateToken("sj_");
  join_token_hash_ = Sha256Hex(token);
  out->meta["join_token_sha256"] = join_token_hash_;
  return token;
}

Result<Principal> TenantDirectory::Authenticate(const std::string& token) const {
  if (token.empty()) return Unauthenticated("missing 'Authorization: Bearer <token>' header");
  auto it = tokens_by_hash_.find(Sha256Hex(token));
  if (it == tokens_by_hash_.end()) return Unauthenticated("the token is not valid");
  if (it->second.revoked) return Unauthenticated("the token was revoked");
  auto u = users_.find(it->second.user);
  if (u == users_.end()) return Unauthenticated("the token's user no longer exists");
  Principal p;
  p.user = u->second.name;
  p.tenant = u->second.tenant;
  p.role = ParseRole(u->second.role).value_or(Role::kMember);
  return p;
}

bool TenantDirectory::IsJoinToken(const std::string& token) const {
  return !token.empty() && !join_token_hash_.empty() &&
         SecretsEqual(Sha256Hex(token), join_token_hash_);
}

Result<TenantDirectory::IssuedToken> TenantDirectory::IssueToken(const Principal& p,
                                                                 const std::string& user,
                                                                 TimeMs now,
                                                                 store::WriteBatch* out) {
  std::string name = user.empty() ? p.user : user;
  auto it = users_.find(name);
  if (it == users_.end() || !CanManageUser(p, it->second)) {
    return NotFound("user '" + name + "' does not exist");
  }
  IssuedToken issued;
  issued.record = NewToken(name, now, &issued.token, out);
  return issued;
}

Result<store::TokenRecord> TenantDirectory::RevokeToken(const Principal& p, int64_t id,
                                                        store::WriteBatch* out) {
  auto h = token_hash_by_id_.find(id);
  if (h == token_hash_by_id_.end()) {
    return NotFound("token " + std::to_string(id) + " does not exist");
  }
  store::TokenRecord& t = tokens_by_hash_.at(h->second);
  auto u = users_.find(t.user);
  if (u == users_.end() || !CanManageUser(p, u->second)) {
    return NotFound("token " + std::to_string(id) + " does not exist");
  }
  if (!t.revoked && u->second.role == "admin" && ActiveAdminTokens(id, "") == 0) {
    return FailedPrecondition("token " + std::to_string(id) +
                              " is the last active admin token: revoking it would lock every "
                              "admin out; create another admin token first");
  }
  t.revoked = true;
  out->tokens.push_back(t);
  return t;
}

int TenantDirectory::ActiveTokenCount(const std::string& user) const {
  int n = 0;
  for (const auto& [hash, t] : tokens_by_hash_) n += (t.user == user && !t.revoked) ? 1 : 0;
  return n;
}

int TenantDirectory::RevokeAllTokens(const std::string& user, store::WriteBatch* out) {
  int n = 0;
  for (auto& [hash, t] : tokens_by_hash_) {
    if (t.user != user || t.revoked) continue;
    t.revoked = true;
    out->tokens.push_back(t);
    ++n;
  }
  return n;
}

int TenantDirectory::ActiveAdminTokens(int64_t except_id, const std::string& except_tenant) const {
  int n = 0;
  for (const auto& [hash, t] : tokens_by_hash_) {
    if (t.revoked || t.id == except_id) continue;
    auto u = users_.find(t.user);
    if (u == users_.end() || u->second.role != "admin") continue;
    if (!except_tenant.empty() && u->second.tenant == except_tenant) continue;
    ++n;
  }
  return n;
}

// ---- Users ----

Result<store::UserRecord> TenantDirectory::CreateUser(const Principal& p, const UserRequest& req,
                                                      TimeMs now, store::WriteBatch* out) {
  if (p.role == Role::kMember) {
    return PermissionDenied("only admins and tenant-admins create users");
  }
  if (!Has(req.tenant) || !CanSeeTenant(p, req.tenant)) {
    return NotFound("tenant '" + req.tenant + "' does not exist");
  }
  if (req.role == "admin" && p.role != Role::kAdmin) {
    return PermissionDenied("only admins create admins");
  }
  // A tenant-admin manages below itself: members of its own tenant and the tenants below, and
  // tenant-admins only of the tenants below, never a peer of itself.
  if (req.role == "tenant-admin" && p.role == Role::kTenantAdmin && req.tenant == p.tenant) {
    return PermissionDenied("tenant-admins create tenant-admins only of the tenants below '" +
                            p.tenant + "', not of their own tenant");
  }
  if (users_.count(req.name)) return AlreadyExists("user '" + req.name + "' already exists");
  store::UserRecord u{req.name, req.tenant, req.role, now};
  users_[u.name] = u;
  out->users.push_back(u);
  return u;
}

// ---- Tenants ----

int32_t TenantDirectory::IndexOf(const std::string& name) const {
  auto it = tenant_by_name_.find(name);
  return it == tenant_by_name_.end() ? -1 : static_cast<int32_t>(it->second);
}

const store::TenantRecord* TenantDirectory::Find(const std::string& name) const {
  int32_t i = IndexOf(name);
  return i < 0 ? nullptr : &tenants_[i];
}

Status TenantDirectory::CheckCreate(const Principal& p, const store::TenantRecord& t) const {
  if (p.role == Role::kMember) {
    return PermissionDenied("only admins and tenant-admins create tenants");
  }
  if (t.parent.empty()) {
    if (p.role != Role::kAdmin) {
      return PermissionDenied("only admins create top-level tenants; give a 'parent'");
    }
  } else if (!Has(t.parent) || !CanSeeTenant(p, t.parent)) {
    return NotFound("parent tenant '" + t.parent + "' does not exist");
  }
  if (Has(t.name)) return AlreadyExists("tenant '" + t.name + "' already exists");
  return Status::Ok();
}

void TenantDirectory::AddTenant(const store::TenantRecord& t, store::WriteBatch* out) {
  tenant_by_name_[t.name] = tenants_.size();
  tenants_.push_back(t);
  out->tenants.push_back(t);
}

Result<store::TenantRecord> TenantDirectory::Updated(const Principal& p, const std::string& name,
                                                     const TenantUpdate& u) const {
  if (p.role == Role::kMember) {
    return PermissionDenied("only admins and tenant-admins change tenants");
  }
  const store::TenantRecord* found = Find(name);
  if (!found || !CanSeeTenant(p, name)) return NotFound("tenant '" + name + "' does not exist");
  // As with creating: a tenant-admin manages the tenants below their own, never their own
  // (raising one's own quota or budget would be privilege escalation).
  if (p.role != Role::kAdmin && name == p.tenant) {
    return PermissionDenied("tenant-admins change only the tenants below their own");
  }
  store::TenantRecord t = *found;
  if (u.Has("weight")) t.weight = u.values.weight;
  if (u.Has("quota")) t.quota = u.values.quota;
  if (u.Has("limit")) t.limit = u.values.limit;
  if (u.Has("budget_accel_hours")) t.budget_accel_hours = u.values.budget_accel_hours;
  if (u.Has("budget_period")) t.budget_period = u.values.budget_period;
  return t;
}

Status TenantDirectory::CheckDelete(const Principal& p, const std::string& name) const {
  if (p.role == Role::kMember)
    return PermissionDenied("only admins and tenant-admins delete tenants");
  if (!Find(name) || !CanSeeTenant(p, name))
    return NotFound("tenant '" + name + "' does not exist");
  if (name == kRootTenant) return FailedPrecondition("the root tenant cannot be deleted");
  if (p.role != Role::kAdmin && name == p.tenant) {
    return PermissionDenied("tenant-admins delete only the tenants below their own");
  }
  // Its users' tokens are revoked with it: never the last admin tokens.
  if (ActiveAdminTokens(-1, name) == 0 && ActiveAdminTokens(-1, "") > 0) {
    return FailedPrecondition("tenant '" + name +
                              "' holds the admins of the last active admin tokens: deleting it "
                              "would lock every admin out; create an admin token elsewhere first");
  }
  std::vector<std::string> children;
  for (const auto& t : tenants_) {
    if (t.parent == name) children.push_back(t.name);
  }
  if (!children.empty()) {
    std::string list;
    for (size_t i = 0; i < children.size() && i < 5; ++i) list += (i ? ", " : "") + children[i];
    if (children.size() > 5) list += ", ... (" + std::to_string(children.size()) + ")";
    return FailedPrecondition("tenant '" + name + "' has child tenants (" + list +
                              "): delete them first");
  }
  return Status::Ok();
}

std::vector<std::string> TenantDirectory::Remove(const std::string& name, store::WriteBatch* out) {
  std::vector<std::string> removed;
  const int32_t i = IndexOf(name);
  if (i < 0) return removed;
  for (auto it = users_.begin(); it != users_.end();) {
    if (it->second.tenant != name) {
      ++it;
      continue;
    }
    for (auto& [hash, token] : tokens_by_hash_) {
      if (token.user == it->first && !token.revoked) {
        token.revoked = true;
        out->tokens.push_back(token);
      }
    }
    removed.push_back(it->first);
    out->deleted_users.push_back(it->first);
    it = users_.erase(it);
  }
  tenants_.erase(tenants_.begin() + i);
  tenant_by_name_.clear();
  for (size_t k = 0; k < tenants_.size(); ++k) tenant_by_name_[tenants_[k].name] = k;
  out->deleted_tenants.push_back(name);
  return removed;
}

void TenantDirectory::Replace(const store::TenantRecord& t, store::WriteBatch* out) {
  auto it = tenant_by_name_.find(t.name);
  if (it == tenant_by_name_.end()) return;
  store::TenantRecord& kept = tenants_[it->second];
  const std::string parent = kept.parent;
  const TimeMs created = kept.created;
  kept = t;
  kept.parent = parent;  // a tenant keeps its place in the tree
  kept.created = created;
  out->tenants.push_back(kept);
}

bool TenantDirectory::InSubtree(const std::string& tenant, const std::string& root) const {
  std::string cur = tenant;
  for (int depth = 0; depth < 1000 && !cur.empty(); ++depth) {
    if (cur == root) return true;
    const store::TenantRecord* t = Find(cur);
    if (!t) return false;
    cur = t->parent;
  }
  return false;
}

std::vector<std::string> TenantDirectory::Ancestry(const std::string& tenant) const {
  std::vector<std::string> chain;
  for (std::string cur = tenant; !cur.empty() && chain.size() <= tenants_.size();) {
    const store::TenantRecord* t = Find(cur);
    if (!t) break;
    chain.push_back(cur);
    cur = t->parent;
  }
  return chain;
}

double TenantDirectory::FairShare(const std::string& tenant) const {
  double share = 1.0;
  std::string cur = tenant;
  for (int depth = 0; depth < 1000; ++depth) {
    const store::TenantRecord* t = Find(cur);
    if (!t) break;
    double siblings = 0;
    for (const auto& s : tenants_) siblings += s.parent == t->parent ? s.weight : 0;
    if (siblings > 0) share *= t->weight / siblings;
    if (t->parent.empty()) break;
    cur = t->parent;
  }
  return share;
}

// ---- Visibility ----

bool TenantDirectory::CanSeeTenant(const Principal& p, const std::string& tenant) const {
  switch (p.role) {
    case Role::kAdmin:
      return true;
    case Role::kTenantAdmin:
      return InSubtree(tenant, p.tenant);
    case Role::kMember:
      return tenant == p.tenant;
  }
  return false;
}

bool TenantDirectory::CanManageUser(const Principal& p, const store::UserRecord& u) const {
  switch (p.role) {
    case Role::kAdmin:
      return true;
    case Role::kTenantAdmin:
      // A tenant-admin never manages an admin, even one placed in their subtree (the built-in
      // admin lives in the root tenant): minting or revoking an admin's token would be privilege
      // escalation. Nor a peer (another tenant-admin of their own tenant): they manage below
      // themselves. Such users are invisible to them (callers answer 404).
      if (u.role == "tenant-admin" && u.tenant == p.tenant) return u.name == p.user;
      return u.role != "admin" && InSubtree(u.tenant, p.tenant);
    case Role::kMember:
      return u.name == p.user;
  }
  return false;
}

std::vector<std::string> TenantDirectory::VisibleTenants(const Principal& p,
                                                         const std::string& under) const {
  std::vector<std::string> out;
  for (const auto& t : tenants_) {
    if (!CanSeeTenant(p, t.name)) continue;
    if (!under.empty() && !InSubtree(t.name, under)) continue;
    out.push_back(t.name);
  }
  return out;
}

}  // namespace suanli::server
