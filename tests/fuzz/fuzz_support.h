#pragma once
// What every fuzz target shares: an invariant check that aborts (so libFuzzer and the regression
// driver both report it, in Release builds too, where assert() is compiled out), and the splitting
// of an input into a selector line and the text that follows.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

// Aborts with the failed condition: an invariant broke, which is a bug like a crash.
#define FUZZ_CHECK(cond)                                                                \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (0)

namespace suanli::fuzz {

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Targets that drive several parsers read "SELECTOR\nTEXT": the first line picks the parser, so
// corpus files stay readable and the fuzzer learns the selectors from them.
struct Selected {
  std::string_view selector;
  std::string_view text;
};
inline Selected Select(std::string_view input) {
  size_t nl = input.find('\n');
  if (nl == std::string_view::npos) return {input, {}};
  return {input.substr(0, nl), input.substr(nl + 1)};
}

// Lines without their '\n', as sim::ReadLines gives them (a last line without '\n' is kept).
inline std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    lines.emplace_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

}  // namespace suanli::fuzz
