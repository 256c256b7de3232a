// The agent protocol codec (src/proto) on arbitrary JSON text. Every decoder sees every input,
// since each side of the wire may receive anything. Beyond "no crash, no exception" it checks:
// - round trip: a message decoded once encodes to JSON that decodes to the same message;
// - EncodePollReplyText (the controller's pre-serialized fast path) says what Encode says.
#include <nlohmann/json.hpp>

#include "proto/codec.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using nlohmann::json;
using namespace suanli::proto;

template <typename T, typename Decode>
void CheckRoundTrip(const json& j, Decode decode) {
  auto first = decode(j);
  if (!first.ok()) return;
  json encoded = Encode(*first);
  auto second = decode(encoded);
  FUZZ_CHECK(second.ok());
  FUZZ_CHECK(*second == *first);
}

void CheckPollReply(const json& j) {
  std::vector<std::string> errors;
  auto first = DecodePollReply(j, &errors);
  if (!first.ok()) return;
  std::vector<std::string> errors2;
  auto second = DecodePollReply(Encode(*first), &errors2);
  FUZZ_CHECK(second.ok());
  FUZZ_CHECK(errors2.empty());  // only good entries were kept, so none is dropped again
  FUZZ_CHECK(*second == *first);

  // The fast path always speaks the current version.
  PollReply current = *first;
  current.protocol = kCurrentVersion;
  std::vector<PreparedLaunch> prepared;
  for (const Launch& l : current.launch) prepared.push_back({l, EncodePeers(l.peers)});
  json text = json::parse(EncodePollReplyText(prepared, current.kill), nullptr, false);
  FUZZ_CHECK(!text.is_discarded());
  FUZZ_CHECK(text == Encode(current));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  json j = json::parse(suanli::fuzz::AsText(data, size), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  CheckRoundTrip<RegisterRequest>(j, DecodeRegisterRequest);
  CheckRoundTrip<PollRequest>(j, DecodePollRequest);
  CheckRoundTrip<LogUpload>(j, DecodeLogUpload);
  CheckRoundTrip<RegisterReply>(j, DecodeRegisterReply);
  CheckRoundTrip<Launch>(j, DecodeLaunch);
  CheckRoundTrip<Kill>(j, DecodeKill);
  CheckPollReply(j);
  return 0;
}
