#pragma once
// The federation simulator's report: one row per routing policy (JCT, cost, energy, carbon, data
// moved, balance) and per-center utilization, as a Markdown table or JSON. Byte-identical for the
// same inputs: fixed formats, centers and policies in the order given.
#include <nlohmann/json.hpp>
#include <string>

#include "sim/federation_sim.h"

namespace suanli::sim {

nlohmann::json ToJson(const FederationReport& report);
std::string ToMarkdown(const FederationReport& report);

}  // namespace suanli::sim
