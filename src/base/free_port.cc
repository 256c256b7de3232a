#include "base/free_port.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace suanli {

Result<int> PickFreeTcpPort(const std::string& host) {
  const std::string where = host.empty() ? "any address" : host;
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return Unavailable("cannot pick a free port on " + where + ": " + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  if (host.empty() || ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1)
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
  socklen_t len = sizeof(addr);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  const int err = errno;
  ::close(fd);
  if (!ok) return Unavailable("cannot pick a free port on " + where + ": " + std::strerror(err));
  return static_cast<int>(ntohs(addr.sin_port));
}

}  // namespace suanli
