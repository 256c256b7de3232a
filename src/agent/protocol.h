#pragma once
// JSON encoding of the agent <-> controller protocol (docs/api.md, "Agents"). Decoding is strict
// about types of the fields it knows (a wrong type is an error naming the field) and ignores fields
// it does not, so the controller may add fields without breaking older agents.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/types.h"
#include "base/result.h"

namespace suanli::agent {

nlohmann::json DeviceToJson(const Device& d);
nlohmann::json TaskRefToJson(const TaskRef& r);
nlohmann::json EventToJson(const TaskEvent& e);

// Body of POST /agents/register.
nlohmann::json RegisterBody(const std::string& name, const std::string& address,
                            const HostInfo& host, const std::vector<TaskRef>& running);
// Body of POST /agents/{name}/poll.
nlohmann::json PollBody(int wait_ms, const std::vector<TaskRef>& running,
                        const std::vector<TaskEvent>& events);

Result<LaunchSpec> ParseLaunch(const nlohmann::json& j);
Result<KillOrder> ParseKill(const nlohmann::json& j);
// Parses a poll answer; entries that are malformed are returned in `errors` (not silently dropped)
// while the good ones are still applied.
PollAnswer ParsePollAnswer(const nlohmann::json& j, std::vector<std::string>* errors);

// Persisted form of a launch (the agent keeps it beside the task to re-attach after a restart).
nlohmann::json LaunchToJson(const LaunchSpec& s);

}  // namespace suanli::agent
