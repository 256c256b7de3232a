#pragma once
// Tokens and roles. Tokens are random, shown once, and stored only as SHA-256 hashes.
#include <optional>
#include <string>
#include <string_view>

namespace suanli::server {

enum class Role { kAdmin, kTenantAdmin, kMember };

std::optional<Role> ParseRole(std::string_view name);
std::string_view RoleName(Role role);

// Who is calling. Agents authenticate with the join token and carry no user.
struct Principal {
  std::string user;
  std::string tenant;
  Role role = Role::kMember;
};

// "sl_" followed by 64 hex characters from a cryptographic random source.
std::string GenerateToken(std::string_view prefix = "sl_");
std::string Sha256Hex(std::string_view data);
// The token of an "Authorization: Bearer <token>" header, or empty when absent/malformed.
std::string BearerToken(std::string_view authorization_header);
// Constant-time comparison for secrets of equal length.
bool SecretsEqual(std::string_view a, std::string_view b);

}  // namespace suanli::server
