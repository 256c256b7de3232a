#pragma once
// Helpers the two codec files share (internal to src/proto): reading and checking an envelope's
// version, lists of entries, and turning a JSON library exception that slipped past the type
// checks into an error instead of letting it cross the module boundary.
#include <nlohmann/json.hpp>
#include <string>

#include "base/result.h"
#include "proto/codec.h"
#include "proto/fields.h"
#include "proto/version.h"

namespace suanli::proto::internal {

// Who sent a message, for the version rule and its error message.
enum class Sender { kAgent, kController };

struct Envelope {
  ProtocolVersion version;
  UnknownFields unknown = UnknownFields::kReject;
};

// `what` names the message in errors ("register request").
Result<Envelope> OpenEnvelope(const nlohmann::json& j, const char* what, Sender from);

template <typename T, typename Decode>
Result<T> Guarded(const char* what, Decode decode) {
  try {
    return decode();
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string(what) + " is malformed: " + e.what());
  }
}

// Decodes the envelope `what` (a message type with a `protocol` member): checks its version, then
// `read(Fields&, UnknownFields, T*) -> Status` reads its fields; unknown fields are then rejected
// or ignored as the version says.
template <typename T, typename Read>
Result<T> DecodeEnvelope(const nlohmann::json& j, const char* what, Sender from, Read read) {
  return Guarded<T>(what, [&]() -> Result<T> {
    SUANLI_ASSIGN_OR_RETURN(Envelope env, OpenEnvelope(j, what, from));
    T m;
    m.protocol = env.version;
    Fields f(j, "", env.unknown);
    f.Skip(kVersionField);
    SUANLI_RETURN_IF_ERROR(read(f, env.unknown, &m));
    SUANLI_RETURN_IF_ERROR(f.Finish());
    return m;
  });
}

// Reads each object of the list field `name` with `read_entry(Fields&, T*, index)`; the first
// bad entry is the error.
template <typename T, typename ReadEntry>
Status ReadList(Fields& f, const char* name, size_t max, UnknownFields unknown, std::vector<T>* out,
                ReadEntry read_entry) {
  const nlohmann::json* list = f.List(name, max);
  SUANLI_RETURN_IF_ERROR(f.status());
  if (!list) return Status::Ok();
  for (size_t i = 0; i < list->size(); ++i) {
    SUANLI_ASSIGN_OR_RETURN(const nlohmann::json* e, ListEntry(*list, i, name));
    Fields ef(*e, EntryPrefix(name, i), unknown);
    T value;
    read_entry(ef, &value, i);
    SUANLI_RETURN_IF_ERROR(ef.Finish());
    out->push_back(std::move(value));
  }
  return Status::Ok();
}

template <typename T>
nlohmann::json EncodeList(const std::vector<T>& items) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& item : items) list.push_back(Encode(item));
  return list;
}

}  // namespace suanli::proto::internal
