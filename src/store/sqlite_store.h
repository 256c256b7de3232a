#pragma once
// SQLite implementation details exposed for tests (migration from older schema versions).
#include <string>

#include "base/status.h"

namespace suanli::store {

// Creates `path` if needed and migrates its schema up to `version` only (tests build an old
// database this way, then open it with OpenSqliteStore to check the migration to the latest).
Status MigrateSqliteForTest(const std::string& path, int version);

}  // namespace suanli::store
