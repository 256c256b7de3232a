#pragma once
// Who exists and who may do what: the tenant tree, users, API tokens and the agents' join token.
// One of the controller's components (controller.h); it runs on the owner thread like the rest.
// Every change it makes is also appended to the WriteBatch it is given, so it reaches the store in
// the controller's group commit before any reply that depends on it is sent.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "server/auth.h"
#include "server/requests.h"
#include "store/store.h"

namespace suanli::server {

class TenantDirectory {
 public:
  static constexpr const char* kRootTenant = "root";
  static constexpr const char* kAdminUser = "admin";

  // The stored state. Tenants are kept in creation order, which gives them stable indices.
  void Load(std::vector<store::TenantRecord> tenants, std::vector<store::UserRecord> users,
            std::vector<store::TokenRecord> tokens, std::string join_token_sha256);
  // Creates the root tenant and the admin user on first start; true when the root was created.
  bool EnsureRootAndAdmin(TimeMs now, store::WriteBatch* out);

  // ---- Tokens ----
  // The admin's token: `existing` (the content of admin.token, may be empty) while it is still
  // valid, else a new one.
  std::string EnsureAdminToken(const std::string& existing, TimeMs now, store::WriteBatch* out);
  // The agents' join token; only its hash is kept (in the store's meta). `existing` while it is
  // valid; a new one only when the store has none. When the store holds another one (written by
  // another controller sharing the store, or `existing` is stale), it is kept, not rotated, since
  // every agent of the cluster holds it: the answer is then "" (unknown here).
  std::string EnsureJoinToken(const std::string& existing, store::WriteBatch* out);
  Result<Principal> Authenticate(const std::string& token) const;
  bool IsJoinToken(const std::string& token) const;
  struct IssuedToken {
    store::TokenRecord record;
    std::string token;  // shown once; only its hash is stored
  };
  // A new token for `user` (empty: the caller), if `p` may manage that user.
  Result<IssuedToken> IssueToken(const Principal& p, const std::string& user, TimeMs now,
                                 store::WriteBatch* out);
  // Refused (FailedPrecondition) for the last active token of any admin: nobody could then
  // manage the cluster through the API (`suanli admin reset-token` is the way back).
  Result<store::TokenRecord> RevokeToken(const Principal& p, int64_t id, store::WriteBatch* out);
  int ActiveTokenCount(const std::string& user) const;
  // Revokes every active token of `user`, whoever asks (for `suanli admin reset-token`, run by
  // whoever holds the data dir); returns how many.
  int RevokeAllTokens(const std::string& user, store::WriteBatch* out);

  // ---- Users ----
  Result<store::UserRecord> CreateUser(const Principal& p, const UserRequest& req, TimeMs now,
                                       store::WriteBatch* out);
  const std::map<std::string, store::UserRecord>& users() const { return users_; }

  // ---- Tenants ----
  const std::vector<store::TenantRecord>& tenants() const { return tenants_; }
  // Index in tenants(), or -1 for an unknown name.
  int32_t IndexOf(const std::string& name) const;
  bool Has(const std::string& name) const { return IndexOf(name) >= 0; }
  const store::TenantRecord* Find(const std::string& name) const;
  // A tenant `p` may create (checked, not yet added: see AddTenant).
  Status CheckCreate(const Principal& p, const store::TenantRecord& t) const;
  void AddTenant(const store::TenantRecord& t, store::WriteBatch* out);
  // The tenant `name` with the fields of `u` applied, if `p` may change it; not yet stored.
  Result<store::TenantRecord> Updated(const Principal& p, const std::string& name,
                                      const TenantUpdate& u) const;
  // Replaces the tenant of the same name (its place in the tree never changes).
  void Replace(const store::TenantRecord& t, store::WriteBatch* out);
  // Whether `p` may delete `name`: as for changing it, and never the root or a tenant with child
  // tenants (named in the error). Jobs are the caller's to check.
  Status CheckDelete(const Principal& p, const std::string& name) const;
  // Removes it with its users, whose tokens are revoked; returns those users. The tenants after
  // it move down one index (the core view must be rebuilt).
  std::vector<std::string> Remove(const std::string& name, store::WriteBatch* out);

  // `tenant` is `root` or below it.
  bool InSubtree(const std::string& tenant, const std::string& root) const;
  // `tenant` and each of its ancestors, nearest first; empty for an unknown tenant.
  std::vector<std::string> Ancestry(const std::string& tenant) const;
  // The product of the tenant's weight share among its siblings, up to the root.
  double FairShare(const std::string& tenant) const;

  // ---- Visibility ----
  bool CanSeeTenant(const Principal& p, const std::string& tenant) const;
  bool CanManageUser(const Principal& p, const store::UserRecord& u) const;
  // The tenants `p` may see, in creation order; only those in the subtree of `under` if given.
  std::vector<std::string> VisibleTenants(const Principal& p, const std::string& under) const;

 private:
  store::TokenRecord NewToken(const std::string& user, TimeMs now, std::string* token,
                              store::WriteBatch* out);
  // Active tokens of admins, leaving out the token `except_id` and the users of tenant
  // `except_tenant` (either may be empty / -1).
  int ActiveAdminTokens(int64_t except_id, const std::string& except_tenant) const;

  // Creation order: the core's indices (a deletion moves the later ones down).
  std::vector<store::TenantRecord> tenants_;
  std::map<std::string, size_t> tenant_by_name_;
  std::map<std::string, store::UserRecord> users_;
  std::map<std::string, store::TokenRecord> tokens_by_hash_;
  std::map<int64_t, std::string> token_hash_by_id_;
  int64_t next_token_id_ = 1;
  std::string join_token_hash_;
};

}  // namespace suanli::server
