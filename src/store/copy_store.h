#pragma once
// Moving a controller's state between stores (`suanli admin migrate-store`), and SQLite's online
// backup (`suanli admin backup|restore`).
#include <cstdint>
#include <string>

#include "base/result.h"
#include "store/store.h"

namespace suanli::store {

// What a copy moved, per kind of record, and a checksum over every record's stored form, taken
// on the source before and on the destination after: equal checksums mean nothing was lost or
// changed on the way.
struct CopyReport {
  int64_t tenants = 0, users = 0, tokens = 0, nodes = 0, jobs = 0, usage = 0, samples = 0, meta = 0;
  uint64_t source_checksum = 0;
  uint64_t destination_checksum = 0;
  bool verified() const { return source_checksum == destination_checksum; }
};

// Counts and checksum of everything a store holds.
Result<CopyReport> Inventory(Store& store);

// Copies everything from `from` into `to`, which must be empty (no job, tenant or user yet: a
// copy never merges two centers' states). Commits in chunks; the destination must lead (TryLead)
// when it is shared. Reads the destination back to verify.
Result<CopyReport> CopyStore(Store& from, Store& to);

// A consistent copy of a live SQLite database (the online backup API: the server keeps running).
Status BackupSqlite(const std::string& db_path, const std::string& backup_path);

}  // namespace suanli::store
