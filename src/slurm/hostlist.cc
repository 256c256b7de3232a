#include "slurm/hostlist.h"

#include <algorithm>
#include <optional>
#include <tuple>

#include "slurm/text.h"

namespace suanli::slurm {
namespace {

Status Malformed(std::string_view hostlist, std::string_view why) {
  return InvalidArgument("invalid hostlist " + Quoted(hostlist) + ": " + std::string(why));
}

std::string Padded(uint64_t n, size_t width) {
  std::string digits = std::to_string(n);
  if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
  return digits;
}

// "01-04,7" into the numbers it names, each padded to the width of its lower bound.
Result<std::vector<std::string>> ExpandBracket(std::string_view hostlist, std::string_view body,
                                               size_t max_hosts) {
  std::vector<std::string> out;
  for (std::string_view item : Split(body, ',')) {
    const size_t dash = item.find('-');
    const std::string_view lo_text = item.substr(0, dash);
    const std::string_view hi_text =
        dash == std::string_view::npos ? lo_text : item.substr(dash + 1);
    const auto lo = ParseUnsigned(lo_text), hi = ParseUnsigned(hi_text);
    if (!lo || !hi) return Malformed(hostlist, "bad range " + Quoted(item));
    if (*lo > *hi) return Malformed(hostlist, "range " + Quoted(item) + " runs backwards");
    if (*hi - *lo >= max_hosts) return Malformed(hostlist, "too many hosts");
    for (uint64_t n = *lo; n <= *hi; ++n) out.push_back(Padded(n, lo_text.size()));
  }
  return out;
}

// One host expression such as "rack[1-2]-node[01-02]", appended to `hosts`.
Status ExpandOne(std::string_view hostlist, std::string_view expr, size_t max_hosts,
                 std::vector<std::string>& hosts) {
  std::vector<std::string> partial = {""};
  size_t i = 0;
  while (i < expr.size()) {
    const size_t open = expr.find_first_of("[]", i);
    const std::string_view literal =
        expr.substr(i, open == std::string_view::npos ? open : open - i);
    for (auto& p : partial) p.append(literal);
    if (open == std::string_view::npos) break;
    if (expr[open] == ']') return Malformed(hostlist, "']' without '['");
    const size_t close = expr.find_first_of("[]", open + 1);
    if (close == std::string_view::npos || expr[close] != ']') {
      return Malformed(hostlist, "'[' without ']'");
    }
    SUANLI_ASSIGN_OR_RETURN(
        auto numbers, ExpandBracket(hostlist, expr.substr(open + 1, close - open - 1), max_hosts));
    if (partial.size() * numbers.size() > max_hosts) return Malformed(hostlist, "too many hosts");
    std::vector<std::string> next;
    next.reserve(partial.size() * numbers.size());
    for (const auto& p : partial) {
      for (const auto& n : numbers) next.push_back(p + n);
    }
    partial = std::move(next);
    i = close + 1;
  }
  if (hosts.size() + partial.size() > max_hosts) return Malformed(hostlist, "too many hosts");
  hosts.insert(hosts.end(), partial.begin(), partial.end());
  return Status::Ok();
}

// A name as prefix plus optional trailing number: "gpu07" is {"gpu", 7, digits 2}.
struct HostName {
  std::string prefix;
  std::optional<uint64_t> number;
  size_t digits = 0;
  bool zero_padded() const { return digits > 1 && number && Padded(*number, 0).size() < digits; }
};

HostName SplitName(std::string_view host) {
  size_t start = host.size();
  while (start > 0 && host[start - 1] >= '0' && host[start - 1] <= '9') --start;
  HostName name{std::string(host.substr(0, start)), std::nullopt, host.size() - start};
  // Numbers too long for 64 bits are left as part of the prefix.
  if (name.digits > 0 && name.digits <= 18) {
    name.number = ParseUnsigned(host.substr(start));
  } else {
    name = {std::string(host), std::nullopt, 0};
  }
  return name;
}

// lo..hi under one prefix; width 0 means unpadded numbers.
struct HostRange {
  std::string prefix;
  bool numbered = false;
  uint64_t lo = 0, hi = 0;
  size_t width = 0;
};

bool Extends(const HostRange& range, const HostName& name) {
  if (!range.numbered || !name.number || range.prefix != name.prefix) return false;
  if (*name.number != range.hi + 1) return false;
  // A padded range takes numbers of its width; an unpadded range takes unpadded numbers.
  return range.width > 0 ? name.digits == range.width : !name.zero_padded();
}

std::vector<HostRange> ToRanges(const std::vector<std::string>& hosts) {
  std::vector<HostRange> ranges;
  for (const auto& host : hosts) {
    const HostName name = SplitName(host);
    if (!ranges.empty() && Extends(ranges.back(), name)) {
      ++ranges.back().hi;
      continue;
    }
    if (!name.number) {
      ranges.push_back({name.prefix, false, 0, 0, 0});
    } else {
      ranges.push_back(
          {name.prefix, true, *name.number, *name.number, name.zero_padded() ? name.digits : 0});
    }
  }
  return ranges;
}

std::string RangeText(const HostRange& r) {
  if (r.lo == r.hi) return Padded(r.lo, r.width);
  return Padded(r.lo, r.width) + "-" + Padded(r.hi, r.width);
}

}  // namespace

Result<std::vector<std::string>> ExpandHostlist(std::string_view hostlist, size_t max_hosts) {
  std::string commas(hostlist);
  for (char& c : commas) {
    if (c == ' ' || c == '\t' || c == '\n') c = ',';
  }
  std::vector<std::string> hosts;
  for (std::string_view expr : SplitOutsideBrackets(commas, ',')) {
    if (expr.empty()) continue;  // "a, b" and trailing separators
    SUANLI_RETURN_IF_ERROR(ExpandOne(hostlist, expr, max_hosts, hosts));
  }
  return hosts;
}

std::string CompressHostlist(const std::vector<std::string>& hosts) {
  const std::vector<HostRange> ranges = ToRanges(hosts);
  std::string out;
  for (size_t i = 0; i < ranges.size();) {
    if (!out.empty()) out += ',';
    const HostRange& first = ranges[i];
    if (!first.numbered) {
      out += first.prefix;
      ++i;
      continue;
    }
    // Neighbouring ranges under the same prefix share one bracket: "a[1-3,7]".
    size_t end = i + 1;
    while (end < ranges.size() && ranges[end].numbered && ranges[end].prefix == first.prefix) {
      ++end;
    }
    out += first.prefix;
    if (end == i + 1 && first.lo == first.hi) {
      out += RangeText(first);
    } else {
      out += '[';
      for (size_t j = i; j < end; ++j) {
        if (j > i) out += ',';
        out += RangeText(ranges[j]);
      }
      out += ']';
    }
    i = end;
  }
  return out;
}

std::string CompressHostlistSorted(std::vector<std::string> hosts) {
  const auto key = [](const std::string& host) {
    const HostName n = SplitName(host);
    return std::make_tuple(n.prefix, n.number.has_value(), n.number.value_or(0), n.digits, host);
  };
  std::sort(hosts.begin(), hosts.end(),
            [&](const std::string& a, const std::string& b) { return key(a) < key(b); });
  hosts.erase(std::unique(hosts.begin(), hosts.end()), hosts.end());
  return CompressHostlist(hosts);
}

}  // namespace suanli::slurm
