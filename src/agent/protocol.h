#pragma once
// The agent's side of the protocol (src/proto, docs/protocol.md): builds what it sends from its own
// view of the node and reads what the controller answers. The wire form lives in proto/codec.h;
// these keep the names the agent's code calls.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/types.h"
#include "base/result.h"
#include "proto/codec.h"

namespace suanli::agent {

// The device as the protocol reports it (an unknown island, -1, is reported as 0).
proto::Device ToProtocol(const Device& d);
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
// while the good ones are still applied. An answer the agent cannot read at all (not an object, a
// controller of another protocol major) is one error and no work.
PollAnswer ParsePollAnswer(const nlohmann::json& j, std::vector<std::string>* errors);

// Persisted form of a launch (the agent keeps it beside the task to re-attach after a restart).
nlohmann::json LaunchToJson(const LaunchSpec& s);

}  // namespace suanli::agent
