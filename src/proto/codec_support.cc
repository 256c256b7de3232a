#include "proto/codec_support.h"

namespace suanli::proto::internal {

Result<Envelope> OpenEnvelope(const nlohmann::json& j, const char* what, Sender from) {
  if (!j.is_object()) return InvalidArgument(std::string(what) + " must be a JSON object");
  Envelope e;
  SUANLI_ASSIGN_OR_RETURN(e.version, VersionOf(j));
  bool from_agent = from == Sender::kAgent;
  SUANLI_RETURN_IF_ERROR(CheckCompatible(e.version, kCurrentVersion,
                                         from_agent ? "agent" : "controller",
                                         from_agent ? "controller" : "agent"));
  // Agents have always ignored reply fields they do not know; the controller is strict with what
  // it can know (its own minor or older) so a misspelt field is an error, not silently dropped.
  bool ignore = !from_agent || MayCarryUnknownFields(e.version, kCurrentVersion);
  e.unknown = ignore ? UnknownFields::kIgnore : UnknownFields::kReject;
  return e;
}

}  // namespace suanli::proto::internal
