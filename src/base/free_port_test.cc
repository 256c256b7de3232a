#include "base/free_port.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace suanli {
namespace {

// Binding the picked port must work: that is the promise, on loopback and on every address.
bool CanBind(const char* host, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, host, &addr.sin_addr);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

TEST(FreePortTest, APickedPortCanBeBoundThere) {
  auto loop = PickFreeTcpPort("127.0.0.1");
  ASSERT_TRUE(loop.ok()) << loop.status().ToString();
  EXPECT_GT(*loop, 0);
  EXPECT_TRUE(CanBind("127.0.0.1", *loop));
  auto any = PickFreeTcpPort();
  ASSERT_TRUE(any.ok()) << any.status().ToString();
  EXPECT_TRUE(CanBind("0.0.0.0", *any));
}

TEST(FreePortTest, AnAddressThisHostDoesNotHaveIsNamedInTheError) {
  auto r = PickFreeTcpPort("192.0.2.1");  // TEST-NET-1: never a local address
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("192.0.2.1"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace suanli
