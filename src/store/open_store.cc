// Picks the store backend from a URI, so the server, `suanli up` and the admin commands name a
// store the same way.
#include <string_view>

#include "store/store.h"

namespace suanli::store {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool IsPostgres(const std::string& uri) {
  return StartsWith(uri, "postgresql://") || StartsWith(uri, "postgres://");
}

}  // namespace

Status ValidateStoreUri(const std::string& uri) {
  if (uri.empty() || StartsWith(uri, "sqlite:") || IsPostgres(uri)) return Status::Ok();
  return InvalidArgument("unknown store '" + uri +
                         "': use sqlite:PATH or postgresql://USER@HOST:PORT/DATABASE");
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& uri,
                                         const std::string& default_sqlite_path) {
  SUANLI_RETURN_IF_ERROR(ValidateStoreUri(uri));
  if (IsPostgres(uri)) return OpenPostgresStore(uri);
  std::string path = StartsWith(uri, "sqlite:") ? uri.substr(7) : "";
  return OpenSqliteStore(path.empty() ? default_sqlite_path : path, true);
}

}  // namespace suanli::store
