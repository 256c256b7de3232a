#pragma once
// Small string helpers shared by the Slurm parsers: they all split, trim and read numbers the same
// way, so the error messages read the same way too.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace suanli::slurm {

std::string_view Trim(std::string_view s);
// Splits on `sep`; empty pieces are kept so that callers can reject "1,,2".
std::vector<std::string_view> Split(std::string_view s, char sep);
// Splits on `sep` outside [brackets], for hostlists and GRES lists such as "a[1,2],b".
std::vector<std::string_view> SplitOutsideBrackets(std::string_view s, char sep);
bool IsAllDigits(std::string_view s);
// A non-empty decimal number without sign that fits in 64 bits.
std::optional<uint64_t> ParseUnsigned(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string ToUpper(std::string_view s);
// "'value'" for messages.
std::string Quoted(std::string_view s);

}  // namespace suanli::slurm
