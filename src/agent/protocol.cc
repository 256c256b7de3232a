#include "agent/protocol.h"

#include <algorithm>

namespace suanli::agent {

using nlohmann::json;

proto::Device ToProtocol(const Device& d) {
  return {d.index, d.type, d.uuid, d.memory_mb, std::max(d.island, 0)};
}

json DeviceToJson(const Device& d) { return proto::Encode(ToProtocol(d)); }

json TaskRefToJson(const TaskRef& r) { return proto::Encode(r); }

json EventToJson(const TaskEvent& e) { return proto::Encode(e); }

json RegisterBody(const std::string& name, const std::string& address, const HostInfo& host,
                  const std::vector<TaskRef>& running) {
  proto::RegisterRequest m;
  m.name = name;
  m.cpus = host.cpus;
  m.mem_mb = host.mem_mb;
  for (const auto& d : host.devices) m.devices.push_back(ToProtocol(d));
  m.address = address;
  m.running = running;
  return proto::Encode(m);
}

json PollBody(int wait_ms, const std::vector<TaskRef>& running,
              const std::vector<TaskEvent>& events) {
  proto::PollRequest m;
  m.wait_ms = wait_ms;
  m.running = running;
  m.events = events;
  return proto::Encode(m);
}

Result<LaunchSpec> ParseLaunch(const json& j) { return proto::DecodeLaunch(j); }

Result<KillOrder> ParseKill(const json& j) { return proto::DecodeKill(j); }

PollAnswer ParsePollAnswer(const json& j, std::vector<std::string>* errors) {
  auto answer = proto::DecodePollReply(j, errors);
  if (answer.ok()) return std::move(answer).value();
  errors->push_back(answer.status().message());
  return PollAnswer{};
}

json LaunchToJson(const LaunchSpec& s) { return proto::Encode(s); }

}  // namespace suanli::agent
