#include "sim/outage.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <string_view>

#include "sim/csv.h"

namespace suanli::sim {
namespace {

constexpr double kHourMs = 3600.0 * 1000.0;
constexpr core::Time kForever = std::numeric_limits<core::Time>::max();

struct Window {
  core::Time start = 0;
  core::Time end = kForever;
};

// Far beyond any trace (Philly spans months), and small enough that origin + hours in ms cannot
// overflow core::Time ("1e300" would).
constexpr double kMaxHours = 1e7;

std::optional<double> Hours(std::string_view text) {
  auto h = ParseDouble(text);
  if (!h || !std::isfinite(*h) || *h < 0 || *h > kMaxHours) return std::nullopt;
  return h;
}

// One node selector: an index, an index range I-J or a node name. Names win over indices, so a
// node named "3" is that node.
Status SelectNodes(std::string_view item, const core::ClusterState& cluster,
                   std::vector<int32_t>* out) {
  const auto count = static_cast<int64_t>(cluster.nodes.size());
  for (int32_t n = 0; n < count; ++n) {
    if (cluster.nodes[n].name == item) {
      out->push_back(n);
      return Status::Ok();
    }
  }
  const size_t dash = item.find('-');
  auto first = ParseInt(item.substr(0, dash));
  auto last = dash == std::string_view::npos ? first : ParseInt(item.substr(dash + 1));
  if (!first || !last) {
    return InvalidArgument("'" + std::string(item) +
                           "' is neither a node name of the cluster nor a node index or range I-J");
  }
  if (*first < 0 || *last < *first || *last >= count) {
    return InvalidArgument("node range '" + std::string(item) + "' is outside 0-" +
                           std::to_string(count - 1) + " (the cluster has " +
                           std::to_string(count) + " nodes)");
  }
  for (int64_t n = *first; n <= *last; ++n) out->push_back(static_cast<int32_t>(n));
  return Status::Ok();
}

Status ParseOne(const std::string& spec, const core::ClusterState& cluster, core::Time origin,
                std::map<int32_t, std::vector<Window>>* windows) {
  auto bad = [&](const std::string& why) {
    return InvalidArgument("--node-outage '" + spec + "': " + why +
                           " (expected NODES@START[-END], hours after the first submission, "
                           "e.g. 0-3@24-30)");
  };
  const size_t at = spec.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == spec.size()) return bad("no NODES@START");
  const std::string_view nodes(spec.data(), at);
  const std::string_view when(spec.data() + at + 1, spec.size() - at - 1);
  const size_t dash = when.find('-');
  auto start = Hours(when.substr(0, dash));
  std::optional<double> end;
  if (dash != std::string_view::npos) end = Hours(when.substr(dash + 1));
  if (!start) return bad("the start is not a number of hours in 0..1e7");
  if (dash != std::string_view::npos && !end)
    return bad("the end is not a number of hours in 0..1e7");
  if (end && *end <= *start) return bad("the end must come after the start");
  Window w;
  w.start = origin + static_cast<core::Time>(std::llround(*start * kHourMs));
  if (end) w.end = origin + static_cast<core::Time>(std::llround(*end * kHourMs));
  std::vector<int32_t> selected;
  size_t from = 0;
  while (from <= nodes.size()) {
    const size_t comma = std::min(nodes.find(',', from), nodes.size());
    const std::string_view item = nodes.substr(from, comma - from);
    if (item.empty()) return bad("an empty node in the list");
    Status st = SelectNodes(item, cluster, &selected);
    if (!st.ok()) return bad(st.message());
    from = comma + 1;
  }
  for (int32_t n : selected) (*windows)[n].push_back(w);
  return Status::Ok();
}

}  // namespace

Result<std::vector<NodeEvent>> ParseNodeOutages(const std::vector<std::string>& specs,
                                                const core::ClusterState& cluster,
                                                core::Time origin) {
  std::map<int32_t, std::vector<Window>> windows;
  for (const auto& spec : specs) SUANLI_RETURN_IF_ERROR(ParseOne(spec, cluster, origin, &windows));
  // Overlapping windows of one node merge: it leaves once and returns when the last one closes.
  std::vector<NodeEvent> events;
  for (auto& [node, list] : windows) {
    std::sort(list.begin(), list.end(),
              [](const Window& a, const Window& b) { return a.start < b.start; });
    Window open = list[0];
    auto flush = [&, node = node] {
      events.push_back({open.start, node, false});
      if (open.end != kForever) events.push_back({open.end, node, true});
    };
    for (size_t i = 1; i < list.size(); ++i) {
      if (list[i].start <= open.end) {
        open.end = std::max(open.end, list[i].end);
      } else {
        flush();
        open = list[i];
      }
    }
    flush();
  }
  std::sort(events.begin(), events.end(), [](const NodeEvent& a, const NodeEvent& b) {
    return a.time != b.time ? a.time < b.time : a.node < b.node;
  });
  return events;
}

}  // namespace suanli::sim
