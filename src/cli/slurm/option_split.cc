#include "cli/slurm/option_split.h"

#include <algorithm>
#include <cctype>

#include "slurm/option_table.h"

namespace suanli::cli::slurm_cmd {
namespace {

namespace sl = suanli::slurm;

// Whether the option word `w` (without an attached value) needs the next word as its value.
bool TakesNextWord(const std::string& w) {
  if (w.starts_with("--")) {
    if (w.find('=') != std::string::npos) return false;
    auto def = sl::FindLongOption(std::string_view(w).substr(2));
    return def.ok() && *def != nullptr && (*def)->arity == sl::Arity::kRequired;
  }
  // "-N" takes the next word; "-N2" carries its value; clustered flags ("-Hk") end with a flag.
  for (size_t i = 1; i < w.size(); ++i) {
    const sl::OptionDef* def = sl::FindShortOption(w[i]);
    if (def == nullptr) return false;
    if (def->arity == sl::Arity::kRequired) return i + 1 == w.size();
  }
  return false;
}

}  // namespace

SplitWords SplitOptionWords(const std::vector<std::string>& words,
                            std::span<const std::string_view> own_flags) {
  SplitWords out;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (std::find(own_flags.begin(), own_flags.end(), w) != own_flags.end()) {
      out.own.insert(w);
      continue;
    }
    if (w == "--") {
      out.rest.assign(words.begin() + static_cast<long>(i) + 1, words.end());
      return out;
    }
    if (w.size() < 2 || w[0] != '-') {
      out.rest.assign(words.begin() + static_cast<long>(i), words.end());
      return out;
    }
    out.options.push_back(w);
    if (TakesNextWord(w) && i + 1 < words.size()) out.options.push_back(words[++i]);
  }
  return out;
}

std::string ShellQuote(const std::string& word) {
  bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '/' || c == '=' ||
           c == ':' || c == ',' || c == '+' || c == '@';
  });
  if (plain) return word;
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace suanli::cli::slurm_cmd
