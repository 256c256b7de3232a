// `suanli admin backup|restore|migrate-store|reset-token`: operations on the store itself, run on the
// controller's machine (they open the store directly, not through the API).
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <ostream>

#include "cli/commands.h"
#include "server/server.h"
#include "store/copy_store.h"
#include "store/store.h"

namespace suanli::cli {
namespace {

namespace fs = std::filesystem;

// Holds DATA_DIR/lock as the server does, so a restore never swaps the database under a running
// controller. Released when destroyed.
class DataDirLock {
 public:
  static Result<std::unique_ptr<DataDirLock>> Take(const std::string& data_dir) {
    std::string path = (fs::path(data_dir) / "lock").string();
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT, 0600);
    if (fd < 0) return Internal("cannot open " + path);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      return FailedPrecondition("a suanli server is running on data dir " + data_dir +
                                ": stop it first");
    }
    return std::unique_ptr<DataDirLock>(new DataDirLock(fd));
  }
  ~DataDirLock() {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_;
};

void PrintReport(CommandContext& ctx, const store::CopyReport& r) {
  ctx.out << "  tenants " << r.tenants << ", users " << r.users << ", tokens " << r.tokens
          << ", nodes " << r.nodes << ", jobs " << r.jobs << ", usage records " << r.usage
          << ", utilization samples " << r.samples << ", settings " << r.meta << "\n";
}

// The SQLite file a data dir or a sqlite: store names.
Result<std::string> SqlitePath(const std::string& data_dir, const std::string& store_uri) {
  if (store_uri.rfind("postgres", 0) == 0) {
    return InvalidArgument(
        "this store is PostgreSQL: back it up with PostgreSQL's own tools, e.g. `pg_dump "
        "--format=custom --file=suanli.dump DBNAME` and `pg_restore --dbname=DBNAME "
        "suanli.dump` (docs/operations.md)");
  }
  SUANLI_RETURN_IF_ERROR(store::ValidateStoreUri(store_uri));
  if (store_uri.rfind("sqlite:", 0) == 0 && store_uri.size() > 7) return store_uri.substr(7);
  return (fs::path(data_dir) / "suanli.db").string();
}

int RunBackup(CommandContext& ctx, const std::string& data_dir, const std::string& store_uri,
              const std::string& to) {
  auto fail = [&](const Status& s) { return Fail(ctx, "admin backup", s); };
  auto path = SqlitePath(data_dir, store_uri);
  if (!path.ok()) return fail(path.status());
  if (!fs::exists(*path)) return fail(NotFound("no database at " + *path));
  if (fs::exists(to)) return fail(AlreadyExists(to + " exists: choose a new file"));
  if (Status st = store::BackupSqlite(*path, to); !st.ok()) return fail(st);
  auto copy = store::OpenSqliteStore(to, true);
  if (!copy.ok()) return fail(copy.status());
  auto inv = store::Inventory(**copy);
  if (!inv.ok()) return fail(inv.status());
  ctx.out << "backed up " << *path << " to " << to << " (while the server may run)\n";
  PrintReport(ctx, *inv);
  return kExitOk;
}

int RunRestore(CommandContext& ctx, const std::string& from, const std::string& data_dir,
               const std::string& store_uri) {
  auto fail = [&](const Status& s) { return Fail(ctx, "admin restore", s); };
  auto path = SqlitePath(data_dir, store_uri);
  if (!path.ok()) return fail(path.status());
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  auto lock = DataDirLock::Take(data_dir);
  if (!lock.ok()) return fail(lock.status());
  if (!fs::exists(from)) return fail(NotFound("no backup at " + from));
  // Check the backup opens and reads completely before anything is replaced; work on a copy so
  // the backup file itself stays as it was taken.
  std::string staged = *path + ".restoring";
  fs::remove(staged, ec);
  fs::copy_file(from, staged, ec);
  if (ec) return fail(Internal("cannot copy " + from + ": " + ec.message()));
  store::CopyReport inv;
  {
    auto opened = store::OpenSqliteStore(staged, true);
    if (!opened.ok()) {
      fs::remove(staged, ec);
      return fail(InvalidArgument(from + " is not a usable backup: " + opened.status().message()));
    }
    auto counted = store::Inventory(**opened);
    if (!counted.ok()) {
      fs::remove(staged, ec);
      return fail(InvalidArgument(from + " is not a usable backup: " + counted.status().message()));
    }
    inv = *counted;
  }
  for (const char* suffix : {"-wal", "-shm"}) fs::remove(*path + suffix, ec);
  fs::rename(staged, *path, ec);
  if (ec) return fail(Internal("cannot replace " + *path + ": " + ec.message()));
  ctx.out << "restored " << from << " into " << *path << "\n";
  PrintReport(ctx, inv);
  return kExitOk;
}

int RunMigrate(CommandContext& ctx, const std::string& from_uri, const std::string& to_uri) {
  auto fail = [&](const Status& s) { return Fail(ctx, "admin migrate-store", s); };
  if (from_uri.empty() || to_uri.empty()) {
    return fail(
        InvalidArgument("give both --from and --to, e.g. --from sqlite:data/suanli.db "
                        "--to postgresql://suanli@db:5432/suanli"));
  }
  std::unique_ptr<DataDirLock> lock;
  if (from_uri.rfind("sqlite:", 0) == 0) {
    // Opening a missing file would create an empty database and "copy" nothing.
    const std::string path = from_uri.substr(7);
    if (path.empty() || !fs::exists(path)) {
      return fail(NotFound("source: no SQLite database at '" + path + "'"));
    }
    // The source's controller must be stopped, or jobs it accepts during the copy would be left
    // behind.
    auto taken = DataDirLock::Take(fs::absolute(path).parent_path().string());
    if (!taken.ok()) return fail(taken.status());
    lock = std::move(taken).value();
  }
  auto from = store::OpenStore(from_uri, "");
  if (!from.ok()) return fail(Status(from.status().code(), "source: " + from.status().message()));
  auto to = store::OpenStore(to_uri, "");
  if (!to.ok()) return fail(Status(to.status().code(), "destination: " + to.status().message()));
  auto lead = (*to)->TryLead("suanli admin migrate-store");
  if (!lead.ok()) return fail(lead.status());
  if (!lead->is_me) {
    return fail(FailedPrecondition("a controller (" + lead->url +
                                   ") runs on the destination: stop it first"));
  }
  auto report = store::CopyStore(**from, **to);
  if (!report.ok()) return fail(report.status());
  ctx.out << "copied " << from_uri << " to " << to_uri << "\n";
  PrintReport(ctx, *report);
  if (!report->verified()) {
    return fail(Internal("the destination does not read back the same records (checksum " +
                         std::to_string(report->destination_checksum) + " vs " +
                         std::to_string(report->source_checksum) + ")"));
  }
  ctx.out << "  verified: the destination reads back every record (checksum " << std::hex
          << report->source_checksum << std::dec << ")\n";
  return kExitOk;
}

int RunResetToken(CommandContext& ctx, const std::string& data_dir, const std::string& store_uri,
                  bool revoke_old) {
  auto fail = [&](const Status& s) { return Fail(ctx, "admin reset-token", s); };
  if (!fs::is_directory(data_dir)) return fail(NotFound("no data dir at " + data_dir));
  if (Status st = store::ValidateStoreUri(store_uri); !st.ok()) return fail(st);
  const bool postgres = store_uri.rfind("postgres", 0) == 0;
  if (!postgres) {
    auto path = SqlitePath(data_dir, store_uri);
    if (!path.ok()) return fail(path.status());
    // Opening a missing file would create an empty store with a fresh admin.
    if (!fs::exists(*path)) return fail(NotFound("no database at " + *path));
  }
  // The server keeps its tokens in memory and rewrites admin.token when it leads: it must not run.
  auto lock = DataDirLock::Take(data_dir);
  if (!lock.ok()) return fail(lock.status());
  auto opened = store::OpenStore(store_uri, (fs::path(data_dir) / "suanli.db").string());
  if (!opened.ok()) return fail(opened.status());
  auto lead = (*opened)->TryLead("suanli admin reset-token");
  if (!lead.ok()) return fail(lead.status());
  if (!lead->is_me) {
    return fail(FailedPrecondition("a controller (" + lead->url +
                                   ") runs on this store: stop every controller first"));
  }
  auto reset = server::ResetAdminToken(**opened, data_dir, revoke_old);
  if (!reset.ok()) return fail(reset.status());
  ctx.out << "new admin token (id " << reset->token_id << ") written to " << reset->path
          << " (0600)";
  if (revoke_old) ctx.out << "; " << reset->revoked << " older admin token(s) revoked";
  ctx.out << "\n";
  return kExitOk;
}

}  // namespace

void RegisterAdminCommands(CLI::App& app, CommandContext& ctx) {
  auto* admin = app.add_subcommand(
      "admin", "operate on the store: backup, restore, migrate-store, reset-token");
  admin->require_subcommand(1);

  struct Options {
    std::string data_dir = "data", store, to, from;
  };
  auto o = std::make_shared<Options>();
  auto* backup = admin->add_subcommand(
      "backup", "copy a live SQLite store to a file (the server may keep running)");
  backup->add_option("--data-dir", o->data_dir, "the server's data dir (default ./data)");
  backup->add_option("--store", o->store, "sqlite:PATH when the store is not DATA_DIR/suanli.db");
  backup->add_option("--to", o->to, "the backup file to create")->required();
  SetAction(backup, ctx, [&ctx, o] { return RunBackup(ctx, o->data_dir, o->store, o->to); });

  auto r = std::make_shared<Options>();
  auto* restore = admin->add_subcommand(
      "restore", "replace a stopped server's SQLite store with a backup (checked first)");
  restore->add_option("--from", r->from, "the backup file")->required();
  restore->add_option("--data-dir", r->data_dir, "the server's data dir (default ./data)");
  restore->add_option("--store", r->store, "sqlite:PATH when the store is not DATA_DIR/suanli.db");
  SetAction(restore, ctx, [&ctx, r] { return RunRestore(ctx, r->from, r->data_dir, r->store); });

  auto m = std::make_shared<Options>();
  auto* migrate = admin->add_subcommand(
      "migrate-store", "copy a stopped controller's whole state into a new, empty store");
  migrate->add_option("--from", m->from, "source store, e.g. sqlite:data/suanli.db");
  migrate->add_option("--to", m->to, "destination store, e.g. postgresql://suanli@db:5432/suanli");
  SetAction(migrate, ctx, [&ctx, m] { return RunMigrate(ctx, m->from, m->to); });

  auto t = std::make_shared<Options>();
  auto revoke_old = std::make_shared<bool>(false);
  auto* reset = admin->add_subcommand(
      "reset-token", "issue a new admin token into DATA_DIR/admin.token (no server running)");
  reset->add_option("--data-dir", t->data_dir, "the server's data dir (default ./data)");
  reset->add_option("--store", t->store, "the store when it is not DATA_DIR/suanli.db");
  reset->add_flag("--revoke-old", *revoke_old, "also revoke every other token of the admin");
  SetAction(reset, ctx, [&ctx, t, revoke_old] {
    return RunResetToken(ctx, t->data_dir, t->store, *revoke_old);
  });
}

}  // namespace suanli::cli
