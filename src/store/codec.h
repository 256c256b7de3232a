#pragma once
// Serialization of records for storage (compact JSON with short keys). Decoding is tolerant of
// absent keys, so a column added by a later schema version reads as its default.
#include <string>

#include "base/result.h"
#include "store/records.h"

namespace suanli::store {

std::string EncodeJob(const JobRecord& job);
Result<JobRecord> DecodeJob(const std::string& text);
std::string EncodeTenantQuotas(const TenantRecord& t);  // {"q":{..},"l":{..}}
Status DecodeTenantQuotas(const std::string& text, TenantRecord* t);
std::string EncodeNodeDevices(const NodeRecord& n);
Result<std::vector<DeviceRecord>> DecodeNodeDevices(const std::string& text);
std::string EncodeDoubleMap(const std::map<std::string, double>& m);
Result<std::map<std::string, double>> DecodeDoubleMap(const std::string& text);

}  // namespace suanli::store
