#include "server/auth.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <random>
#include <stdexcept>

namespace suanli::server {
namespace {

std::string Hex(const unsigned char* data, size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 15]);
  }
  return out;
}

}  // namespace

std::optional<Role> ParseRole(std::string_view name) {
  if (name == "admin") return Role::kAdmin;
  if (name == "tenant-admin") return Role::kTenantAdmin;
  if (name == "member") return Role::kMember;
  return std::nullopt;
}

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAdmin:
      return "admin";
    case Role::kTenantAdmin:
      return "tenant-admin";
    case Role::kMember:
      return "member";
  }
  return "member";
}

std::string GenerateToken(std::string_view prefix) {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    // OpenSSL's generator failing is not recoverable for a security token; fall back to the OS
    // source through random_device, which reads /dev/urandom on Linux.
    std::random_device rd;
    for (auto& b : bytes) b = static_cast<unsigned char>(rd());
  }
  return std::string(prefix) + Hex(bytes.data(), bytes.size());
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  return Hex(digest, len);
}

std::string BearerToken(std::string_view header) {
  constexpr std::string_view kPrefix = "Bearer ";
  if (header.size() <= kPrefix.size() || header.substr(0, kPrefix.size()) != kPrefix) return "";
  std::string_view token = header.substr(kPrefix.size());
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  return std::string(token);
}

bool SecretsEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace suanli::server
