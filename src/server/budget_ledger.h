#pragma once
// Accelerator-hours each tenant's finished attempts used in its current budget period, kept in
// memory so a scheduling pass never reads the store or walks finished usage: attempts are added
// as they end (the part inside the window), and a window that time has left starts again empty.
// Running attempts are not here: the caller adds them as of its own "now".
#include <map>
#include <string>

#include "base/clock.h"
#include "core/budget_period.h"

namespace suanli::server {

class BudgetLedger {
 public:
  struct Entry {
    core::BudgetPeriod period = core::BudgetPeriod::kTotal;
    core::PeriodWindow window;
    double finished_hours = 0;  // finished attempts, prorated to `window`
  };

  // Starts a tenant's window afresh: the one of `period` that holds `now`, with nothing used.
  // For a new tenant, at load, and when its period changes (the caller then re-adds its usage).
  void Open(const std::string& tenant, core::BudgetPeriod period, TimeMs now);

  // A finished attempt of `tenant` that used `accel_seconds` over [start, end]. Attempts are added
  // in the order they end (the controller records each at its "now"; a load reads them by end
  // time), so an end past the window means the period rolled over: everything added before ended
  // earlier, outside the new window, which therefore starts empty. Unknown tenants are ignored.
  void AddFinished(const std::string& tenant, TimeMs start, TimeMs end, double accel_seconds);

  // The tenant's entry as of `now`, rolling its window forward first when `now` has left it.
  // A clock stepped back never moves a window backwards. Null for an unknown tenant.
  const Entry* At(const std::string& tenant, TimeMs now);

 private:
  static void Roll(Entry& e, TimeMs now);

  std::map<std::string, Entry> entries_;
};

}  // namespace suanli::server
