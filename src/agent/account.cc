#include "agent/account.h"

#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

namespace suanli::agent {
namespace {

bool Lookup(const std::string& name, Account* out) {
  struct passwd pw, *result = nullptr;
  char buf[16384];
  if (name.empty() || getpwnam_r(name.c_str(), &pw, buf, sizeof(buf), &result) != 0 ||
      result == nullptr)
    return false;
  out->name = pw.pw_name;
  out->uid = pw.pw_uid;
  out->gid = pw.pw_gid;
  out->home = pw.pw_dir;
  out->shell = pw.pw_shell;
  int n = 64;
  out->groups.assign(n, 0);
  if (getgrouplist(pw.pw_name, pw.pw_gid, out->groups.data(), &n) < 0) {
    out->groups.assign(n, 0);
    getgrouplist(pw.pw_name, pw.pw_gid, out->groups.data(), &n);
  }
  out->groups.resize(n);
  return true;
}

// Why `acc` may not be used for its own user, or "" when it may.
std::string Refusal(const Account& acc, const AccountPolicy& policy) {
  if (acc.uid == 0)
    return policy.allow_root
               ? ""
               : "running as root is not allowed on this node (agent flag --allow-root)";
  if (acc.uid < policy.min_uid)
    return fmt::format("account '{}' (uid {}) is a system account below --min-uid {}", acc.name,
                       acc.uid, policy.min_uid);
  if (!policy.allowed_group.empty()) {
    struct group gr, *result = nullptr;
    char buf[16384];
    if (getgrnam_r(policy.allowed_group.c_str(), &gr, buf, sizeof(buf), &result) != 0 ||
        result == nullptr)
      return fmt::format("the allowed group '{}' (--allowed-group) does not exist on this node",
                         policy.allowed_group);
    bool member = acc.gid == gr.gr_gid;
    for (gid_t g : acc.groups) member = member || g == gr.gr_gid;
    if (!member)
      return fmt::format("account '{}' is not in the group '{}' (--allowed-group)", acc.name,
                         policy.allowed_group);
  }
  return "";
}

}  // namespace

Result<Account> ResolveAccount(const std::string& user, const AccountPolicy& policy,
                               bool can_switch) {
  Account acc;
  if (!can_switch) {
    struct passwd pw, *r = nullptr;
    char buf[16384];
    if (getpwuid_r(getuid(), &pw, buf, sizeof(buf), &r) != 0 || r == nullptr ||
        !Lookup(pw.pw_name, &acc)) {
      acc.name = std::to_string(getuid());
      acc.uid = getuid();
      acc.gid = getgid();
    }
    if (acc.name != user)
      acc.note = fmt::format("the agent is not root, so user '{}' runs as the agent's account '{}'",
                             user, acc.name);
    return acc;
  }
  std::string why;
  if (Lookup(user, &acc)) {
    why = Refusal(acc, policy);
    if (why.empty()) return acc;
  } else {
    why = user.empty() ? "the job names no user"
                       : fmt::format("user '{}' has no account on this node", user);
  }
  Account fb;
  if (!Lookup(policy.fallback, &fb))
    return FailedPrecondition(fmt::format("{}, and the fallback account '{}' does not exist either",
                                          why, policy.fallback));
  // The fallback is the admin's own choice (often `nobody`, uid 65534): --min-uid and
  // --allowed-group do not apply to it, root still needs --allow-root.
  if (fb.uid == 0 && !policy.allow_root)
    return FailedPrecondition(
        fmt::format("{}, and the fallback account '{}' is root", why, policy.fallback));
  fb.note = fmt::format("{}; running as '{}'", why, fb.name);
  return fb;
}

}  // namespace suanli::agent
