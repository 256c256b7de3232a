#include "cli/slurm/args.h"

namespace suanli::cli::slurm_cmd {
namespace {

Result<const ArgSpec*> FindLong(std::string_view name, std::span<const ArgSpec> specs) {
  const ArgSpec* prefix_match = nullptr;
  int prefix_matches = 0;
  for (const auto& s : specs) {
    if (s.long_name == name) return &s;
    if (s.long_name.starts_with(name)) {
      prefix_match = &s;
      ++prefix_matches;
    }
  }
  if (prefix_matches == 1) return prefix_match;
  if (prefix_matches > 1) {
    return InvalidArgument("option '--" + std::string(name) + "' is ambiguous");
  }
  return InvalidArgument("unrecognized option '--" + std::string(name) + "'");
}

const ArgSpec* FindShort(char c, std::span<const ArgSpec> specs) {
  for (const auto& s : specs) {
    if (s.short_name == c) return &s;
  }
  return nullptr;
}

}  // namespace

std::string ParsedArgs::Last(const std::string& name) const {
  auto it = values.find(name);
  return it == values.end() || it->second.empty() ? "" : it->second.back();
}

std::vector<std::string> ParsedArgs::List(const std::string& name) const {
  std::vector<std::string> out;
  auto it = values.find(name);
  if (it == values.end()) return out;
  for (const auto& v : it->second) {
    size_t start = 0;
    while (start <= v.size()) {
      size_t comma = v.find(',', start);
      if (comma == std::string::npos) comma = v.size();
      if (comma > start) out.push_back(v.substr(start, comma - start));
      start = comma + 1;
    }
  }
  return out;
}

Result<ParsedArgs> ParseArgs(const std::vector<std::string>& words,
                             std::span<const ArgSpec> specs) {
  ParsedArgs out;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w == "--") {
      out.positional.insert(out.positional.end(), words.begin() + i + 1, words.end());
      break;
    }
    if (w.starts_with("--")) {
      std::string_view body(w);
      body.remove_prefix(2);
      size_t eq = body.find('=');
      SUANLI_ASSIGN_OR_RETURN(const ArgSpec* spec, FindLong(body.substr(0, eq), specs));
      std::string key(spec->long_name);
      if (!spec->takes_value) {
        if (eq != std::string_view::npos) {
          return InvalidArgument("option '--" + key + "' doesn't allow an argument");
        }
        out.values[key].push_back("");
      } else if (eq != std::string_view::npos) {
        out.values[key].emplace_back(body.substr(eq + 1));
      } else if (i + 1 < words.size()) {
        out.values[key].push_back(words[++i]);
      } else {
        return InvalidArgument("option '--" + key + "' requires an argument");
      }
      continue;
    }
    if (w.size() > 1 && w[0] == '-') {
      for (size_t j = 1; j < w.size(); ++j) {
        const ArgSpec* spec = FindShort(w[j], specs);
        if (spec == nullptr)
          return InvalidArgument(std::string("invalid option -- '") + w[j] + "'");
        std::string key(spec->long_name);
        if (!spec->takes_value) {
          out.values[key].push_back("");
          continue;
        }
        if (j + 1 < w.size()) {
          out.values[key].push_back(w.substr(j + 1));
        } else if (i + 1 < words.size()) {
          out.values[key].push_back(words[++i]);
        } else {
          return InvalidArgument(std::string("option requires an argument -- '") + w[j] + "'");
        }
        break;
      }
      continue;
    }
    out.positional.push_back(w);
  }
  return out;
}

}  // namespace suanli::cli::slurm_cmd
