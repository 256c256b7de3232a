#include "slurm/option_words.h"

#include "slurm/text.h"

namespace suanli::slurm {
namespace {

Status MissingValue(std::string_view written) {
  return InvalidArgument("option '" + std::string(written) + "' requires an argument");
}

// "--name[=value]", possibly taking the next word as its value; advances `i` past what it used.
Status ReadLong(const std::vector<std::string>& words, size_t& i, std::vector<OptionUse>& out) {
  const std::string_view word = words[i];
  const size_t eq = word.find('=');
  const std::string_view name = word.substr(2, eq == std::string_view::npos ? eq : eq - 2);
  SUANLI_ASSIGN_OR_RETURN(const OptionDef* def, FindLongOption(name));
  OptionUse use{def, "--" + std::string(name), ""};
  const bool inline_value = eq != std::string_view::npos;
  if (inline_value) use.value = std::string(word.substr(eq + 1));
  const Arity arity = def ? def->arity : Arity::kOptional;
  if (arity == Arity::kNone && inline_value) {
    return InvalidArgument("option '" + use.written + "' doesn't allow an argument");
  }
  if (arity == Arity::kRequired && !inline_value) {
    if (i + 1 >= words.size()) return MissingValue(use.written);
    use.value = words[++i];
  }
  // An unknown option may take a value; take the next word when it cannot be an option.
  if (!def && !inline_value && i + 1 < words.size() && !words[i + 1].starts_with("-")) {
    use.value = words[++i];
  }
  out.push_back(std::move(use));
  return Status::Ok();
}

// "-X", "-Xvalue", "-X value" or clustered flags "-Hk".
Status ReadShort(const std::vector<std::string>& words, size_t& i, std::vector<OptionUse>& out) {
  const std::string_view word = words[i];
  for (size_t j = 1; j < word.size(); ++j) {
    const OptionDef* def = FindShortOption(word[j]);
    const std::string written = {'-', word[j]};
    if (!def) return InvalidArgument("invalid option -- " + Quoted(written.substr(1)));
    OptionUse use{def, written, ""};
    if (def->arity == Arity::kRequired) {
      if (j + 1 < word.size()) {
        use.value = std::string(word.substr(j + 1));
      } else if (i + 1 < words.size()) {
        use.value = words[++i];
      } else {
        return MissingValue(written);
      }
      out.push_back(std::move(use));
      return Status::Ok();
    }
    out.push_back(std::move(use));
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<OptionUse>> ReadOptionWords(const std::vector<std::string>& words) {
  std::vector<OptionUse> uses;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (word.starts_with("--") && word.size() > 2) {
      SUANLI_RETURN_IF_ERROR(ReadLong(words, i, uses));
    } else if (word.starts_with("-") && word.size() > 1 && word[1] != '-') {
      SUANLI_RETURN_IF_ERROR(ReadShort(words, i, uses));
    } else {
      return InvalidArgument("unexpected word " + Quoted(word) + " (options start with '-')");
    }
  }
  return uses;
}

}  // namespace suanli::slurm
