#pragma once
// Minimal CSV reading for trace and cluster files: comma separated, optional double quotes,
// no embedded newlines. Numbers are parsed strictly so a corrupt cell is an error, not a zero.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace suanli::sim {

// Splits one CSV line into cells. A quoted cell may hold commas and "" for a quote.
// A trailing '\r' (Windows line end) is dropped.
std::vector<std::string> SplitCsvLine(std::string_view line);

// Whole-cell strict parses: leading/trailing spaces allowed, anything else is an error.
std::optional<int64_t> ParseInt(std::string_view cell);
std::optional<double> ParseDouble(std::string_view cell);

// Reads a whole file into lines (without line ends). NotFound when it cannot be opened.
Result<std::vector<std::string>> ReadLines(const std::string& path);

// Index of `name` in a header row, or -1.
int FindColumn(const std::vector<std::string>& header, std::string_view name);

}  // namespace suanli::sim
