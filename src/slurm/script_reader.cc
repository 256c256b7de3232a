#include "slurm/script_reader.h"

#include <cctype>

#include "slurm/text.h"

namespace suanli::slurm {
namespace {

constexpr std::string_view kPrefix = "#SBATCH";

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::string AtLine(int line, std::string_view message) {
  return "line " + std::to_string(line) + ": " + std::string(message);
}

// Splits what follows "#SBATCH" into words, as sbatch's own reader does.
Result<std::vector<std::string>> SplitWords(std::string_view rest, int line) {
  std::vector<std::string> words;
  size_t i = 0;
  while (true) {
    while (i < rest.size() && IsBlank(rest[i])) ++i;
    if (i == rest.size() || rest[i] == '#') break;
    std::string word;
    char quote = 0;
    while (i < rest.size() && (quote || !IsBlank(rest[i]))) {
      const char c = rest[i++];
      if (c == '\\' && i < rest.size()) {
        word += rest[i++];
      } else if (quote && c == quote) {
        quote = 0;
      } else if (!quote && (c == '"' || c == '\'')) {
        quote = c;
      } else if (!quote && c == '#') {
        i = rest.size();  // the rest of the line is a comment
        break;
      } else {
        word += c;
      }
    }
    if (quote) return InvalidArgument(AtLine(line, "unterminated quote in #SBATCH directive"));
    words.push_back(std::move(word));
  }
  return words;
}

bool IsCommentOrBlank(std::string_view line) {
  const std::string_view t = Trim(line);
  return t.empty() || t.front() == '#';
}

Status CheckWholeScript(std::string_view script) {
  if (script.empty()) return InvalidArgument("Batch script is empty!");
  if (Trim(script).empty()) return InvalidArgument("Batch script contains only whitespace!");
  if (script.find('\0') != std::string_view::npos) {
    return InvalidArgument("The Slurm batch script contains a NULL character");
  }
  if (script.find("\r\n") != std::string_view::npos) {
    return InvalidArgument(
        "Batch script contains DOS line breaks (\\r\\n) instead of expected UNIX line breaks "
        "(\\n)");
  }
  if (!script.starts_with("#!")) {
    return InvalidArgument(
        "This does not look like a batch script.  The first line must start with #! followed "
        "by the path to an interpreter.  For instance: #!/bin/sh");
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<DirectiveLine>> ReadDirectives(std::string_view script) {
  SUANLI_RETURN_IF_ERROR(CheckWholeScript(script));
  std::vector<DirectiveLine> directives;
  const auto lines = Split(script, '\n');
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    const int number = static_cast<int>(i) + 1;
    if (!line.starts_with(kPrefix)) {
      if (IsCommentOrBlank(line)) continue;
      break;  // the first command: sbatch reads no further
    }
    SUANLI_ASSIGN_OR_RETURN(auto words, SplitWords(line.substr(kPrefix.size()), number));
    if (words.empty()) continue;
    if (words[0] == "hetjob" || words[0] == "packjob") {
      return InvalidArgument(AtLine(
          number, "'#SBATCH " + words[0] +
                      "' starts another component of a heterogeneous job; heterogeneous jobs are "
                      "not supported by Suanli (submit the components as separate jobs, joined "
                      "with --dependency if one needs the other)"));
    }
    directives.push_back({number, std::move(words)});
  }
  return directives;
}

}  // namespace suanli::slurm
