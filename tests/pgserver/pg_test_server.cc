#include "pg_test_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <sstream>
#include <vector>

namespace suanli::pgtest {
namespace {

namespace fs = std::filesystem;

// Debian installs the server binaries per major version; the newest one wins.
Result<std::string> FindBinDir() {
  const fs::path root = "/usr/lib/postgresql";
  std::string best;
  int best_major = -1;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root, ec)) {
    int major = std::atoi(e.path().filename().c_str());
    if (major > best_major && fs::exists(e.path() / "bin" / "initdb")) {
      best_major = major;
      best = (e.path() / "bin").string();
    }
  }
  if (best.empty()) {
    return FailedPrecondition(
        "no PostgreSQL server under /usr/lib/postgresql (install Debian's `postgresql` package: "
        "scripts/install-deps.sh does)");
  }
  return best;
}

Result<int> FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return Internal("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return Internal("cannot find a free loopback port");
  }
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

// Runs argv (as `user` through runuser when it is set) and returns its combined output, or an
// error carrying that output.
Result<std::string> RunCommand(const std::vector<std::string>& argv, const std::string& user) {
  std::vector<std::string> full;
  if (!user.empty()) full = {"runuser", "-u", user, "--"};
  full.insert(full.end(), argv.begin(), argv.end());
  std::string cmd;
  for (const auto& a : full) {
    std::string quoted = "'";
    for (char c : a) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    cmd += quoted + "' ";
  }
  cmd += "2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return Internal("cannot run " + argv[0]);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  int status = ::pclose(p);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Internal(argv[0] + " failed: " + out);
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<PgTestServer>> PgTestServer::Start(const PgTestServerOptions& options) {
  std::unique_ptr<PgTestServer> s(new PgTestServer());
  SUANLI_ASSIGN_OR_RETURN(s->bin_dir_, FindBinDir());
  uid_t owner = ::geteuid();
  gid_t group = ::getegid();
  if (owner == 0) {
    const passwd* pw = ::getpwnam("postgres");
    if (!pw) return FailedPrecondition("running as root but there is no `postgres` account");
    s->run_as_ = "postgres";
    owner = pw->pw_uid;
    group = pw->pw_gid;
  }
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/suanli-pg-XXXXXX";
  if (!::mkdtemp(tmpl.data())) return Internal("mkdtemp failed for " + tmpl);
  s->dir_ = tmpl;
  // The server's account must own its data directory and be able to reach it.
  if (::chown(s->dir_.c_str(), owner, group) != 0 || ::chmod(s->dir_.c_str(), 0700) != 0) {
    return Internal("cannot hand " + s->dir_ + " to the postgres account");
  }
  const std::string data = s->dir_ + "/data";
  SUANLI_RETURN_IF_ERROR(RunCommand({s->bin_dir_ + "/initdb", "-D", data, "-U", "postgres",
                                     "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"},
                                    s->run_as_)
                             .status());
  std::ofstream conf(data + "/postgresql.conf", std::ios::app);
  conf << "listen_addresses = '127.0.0.1'\n"
       << "unix_socket_directories = '" << s->dir_ << "'\n"
       << "max_connections = 200\n"
       << "fsync = " << (options.fsync ? "on" : "off") << "\n"
       << "full_page_writes = " << (options.fsync ? "on" : "off") << "\n";
  conf.close();
  // A port another process takes between our probe and the server's bind fails the start; try a
  // few fresh ports before giving up.
  Status last;
  for (int attempt = 0; attempt < 5; ++attempt) {
    SUANLI_ASSIGN_OR_RETURN(s->port_, FreeLoopbackPort());
    last = s->StartAgain();
    if (last.ok()) return s;
  }
  return last;
}

PgTestServer::~PgTestServer() {
  if (running_) (void)RunPgCtl("stop");
  if (!dir_.empty() && std::getenv("SUANLI_KEEP_TEST_DIRS") == nullptr) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

Status PgTestServer::RunPgCtl(const std::string& action) {
  std::vector<std::string> argv = {bin_dir_ + "/pg_ctl", "-D", dir_ + "/data", "-w", "-t", "60"};
  if (action == "start") {
    argv.insert(argv.end(), {"-l", dir_ + "/server.log", "-o", "-p " + std::to_string(port_)});
  } else {
    argv.insert(argv.end(), {"-m", "immediate"});
  }
  argv.push_back(action);
  auto out = RunCommand(argv, run_as_);
  if (!out.ok()) {
    std::ifstream log(dir_ + "/server.log");
    std::stringstream ss;
    ss << log.rdbuf();
    return Internal("pg_ctl " + action + ": " + out.status().message() + "\nserver log:\n" +
                    ss.str());
  }
  return Status::Ok();
}

Status PgTestServer::StartAgain() {
  SUANLI_RETURN_IF_ERROR(RunPgCtl("start"));
  running_ = true;
  return Status::Ok();
}

Status PgTestServer::Stop() {
  SUANLI_RETURN_IF_ERROR(RunPgCtl("stop"));
  running_ = false;
  return Status::Ok();
}

Status PgTestServer::Restart() {
  SUANLI_RETURN_IF_ERROR(Stop());
  return StartAgain();
}

std::string PgTestServer::Uri(const std::string& database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

Result<std::string> PgTestServer::CreateDatabase(const std::string& prefix) {
  std::string name = prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(next_db_++);
  try {
    pqxx::connection c(Uri("postgres"));
    pqxx::nontransaction tx(c);
    tx.exec("CREATE DATABASE " + tx.quote_name(name));
  } catch (const std::exception& e) {
    return Internal("cannot create database " + name + ": " + e.what());
  }
  return Uri(name);
}

Result<PgTestServer*> SharedPgTestServer() {
  // Destroyed at exit, which stops the server and removes its files.
  static Result<std::unique_ptr<PgTestServer>> shared = PgTestServer::Start();
  if (!shared.ok()) return shared.status();
  return shared->get();
}

Result<std::string> NewSharedDatabase(const std::string& prefix) {
  SUANLI_ASSIGN_OR_RETURN(PgTestServer * server, SharedPgTestServer());
  return server->CreateDatabase(prefix);
}

}  // namespace suanli::pgtest
