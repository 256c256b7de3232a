#pragma once
// Which Unix account a task runs as. The submitting user's own account when it exists, is a
// regular account (uid >= --min-uid: tenant admins choose Suanli user names, so a user named
// `daemon` or `bin` must not get that system account) and, with --allowed-group, is a member of
// that group (so a local account whose owner never joined Suanli is not taken over by a user of
// the same name); root only when the admin allowed it (--allow-root); otherwise a configured
// fallback account (e.g. `nobody`), with a note saying why so the job's log tells the user.
#include <sys/types.h>

#include <string>
#include <vector>

#include "base/result.h"

namespace suanli::agent {

struct Account {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  std::string home;
  std::string shell;
  std::string note;  // non-empty when this is not the account that was asked for
};

struct AccountPolicy {
  std::string fallback = "nobody";
  bool allow_root = false;
  uid_t min_uid = 1000;       // accounts below it (other than root) are system accounts
  std::string allowed_group;  // non-empty: only members of this group run as themselves
};

// `can_switch` is false when the agent is not root: tasks then run as the agent's own account.
Result<Account> ResolveAccount(const std::string& user, const AccountPolicy& policy,
                               bool can_switch);

}  // namespace suanli::agent
