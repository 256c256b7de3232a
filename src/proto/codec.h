#pragma once
// The JSON wire form of every protocol message (field names as in docs/api.md, "Agents").
//
// Decoding an envelope first reads its "protocol" version (absent = 1.0) and refuses a peer the
// compatibility rule does not accept (FailedPrecondition naming both versions). Then every known
// field is checked for type and range; an error names the field. Unknown fields: the controller
// rejects them in messages of its own or an older minor and ignores them in a newer minor's; the
// agent always ignores them in what the controller sends (agents always have), so a controller may
// add reply fields in a minor. No decoder throws.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/result.h"
#include "proto/messages.h"

namespace suanli::proto {

// What the agent sends; the controller decodes.
nlohmann::json Encode(const RegisterRequest& m);
nlohmann::json Encode(const PollRequest& m);
nlohmann::json Encode(const LogUpload& m);
nlohmann::json Encode(const TaskRef& m);
nlohmann::json Encode(const TaskEvent& m);
nlohmann::json Encode(const Device& m);
Result<RegisterRequest> DecodeRegisterRequest(const nlohmann::json& j);
Result<PollRequest> DecodePollRequest(const nlohmann::json& j);
Result<LogUpload> DecodeLogUpload(const nlohmann::json& j);

// What the controller sends; the agent decodes.
nlohmann::json Encode(const RegisterReply& m);
nlohmann::json Encode(const PollReply& m);
nlohmann::json Encode(const Launch& m);  // also the agent's persisted form of a launch
nlohmann::json Encode(const Kill& m);
nlohmann::json Encode(const Peer& m);
Result<RegisterReply> DecodeRegisterReply(const nlohmann::json& j);
Result<Launch> DecodeLaunch(const nlohmann::json& j);
Result<Kill> DecodeKill(const nlohmann::json& j);
// An answer whose envelope is bad (not an object, a version the agent does not accept) is an
// error. Entries that are malformed are left out and reported in `errors` while the good ones are
// kept: one bad launch must not stop the node from obeying a kill.
Result<PollReply> DecodePollReply(const nlohmann::json& j, std::vector<std::string>* errors);

// A launch whose peer list is already JSON text, shared by all the launches of one job: a gang's
// peers are serialized once, not once per task (queued launches cost O(tasks), not O(tasks^2)).
struct PreparedLaunch {
  Launch launch;  // its `peers` is not read
  std::shared_ptr<const std::string> peers_json;
};
std::shared_ptr<const std::string> EncodePeers(const std::vector<Peer>& peers);
// The same text as Encode(PollReply) gives for these launches (with their peers) and kills.
std::string EncodePollReplyText(const std::vector<PreparedLaunch>& launch,
                                const std::vector<Kill>& kill);

}  // namespace suanli::proto
