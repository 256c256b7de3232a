#include "server/budget_ledger.h"

namespace suanli::server {

void BudgetLedger::Open(const std::string& tenant, core::BudgetPeriod period, TimeMs now) {
  entries_[tenant] = Entry{period, core::PeriodAt(period, now), 0.0};
}

void BudgetLedger::Roll(Entry& e, TimeMs now) {
  if (now < e.window.end) return;
  e.window = core::PeriodAt(e.period, now);
  e.finished_hours = 0;
}

void BudgetLedger::AddFinished(const std::string& tenant, TimeMs start, TimeMs end,
                               double accel_seconds) {
  auto it = entries_.find(tenant);
  if (it == entries_.end()) return;
  Entry& e = it->second;
  Roll(e, end);
  e.finished_hours += core::Prorate(accel_seconds, start, end, e.window) / 3600.0;
}

const BudgetLedger::Entry* BudgetLedger::At(const std::string& tenant, TimeMs now) {
  auto it = entries_.find(tenant);
  if (it == entries_.end()) return nullptr;
  Roll(it->second, now);
  return &it->second;
}

}  // namespace suanli::server
