#pragma once
// PostgreSQL implementation details exposed for tests (migration from older schema versions).
#include <string>

#include "base/status.h"

namespace suanli::store {

// Connects to `uri` and migrates its schema up to `version` only (a test builds an old database
// this way, then opens it with OpenPostgresStore to check the migration to the latest).
Status MigratePostgresForTest(const std::string& uri, int version);

// "postgresql://user@host:port/db" with any password removed, for messages and logs.
std::string RedactPostgresUri(const std::string& uri);

}  // namespace suanli::store
