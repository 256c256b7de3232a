#pragma once
// Synthetic workloads for quick experiments and tests: "synthetic:jobs=2000,tenants=4,seed=7,
// interarrival=60,median=1800,sigma=1.8,max_gpus=16". Arrivals are Poisson (exponential gaps of
// mean `interarrival` seconds); durations log-normal with the given median (s) and sigma, capped
// at one week; GPU counts follow Philly's mix (mostly 1, then 2, 4, 8, 16...) up to max_gpus.
#include <string>

#include "base/result.h"
#include "sim/trace.h"

namespace suanli::sim {

bool IsSyntheticSpec(const std::string& spec);
Result<Trace> GenerateSyntheticTrace(const std::string& spec);

}  // namespace suanli::sim
