#pragma once
// Slurm hostlists, as `scontrol show hostnames` expands them and `scontrol show hostlist`
// compresses them: "gpu[01-04]", "a[1-3,7],b5", "rack[1-2]-node[01-02]" (brackets multiply, the
// first one outermost). A range keeps the zero padding of its lower bound: "n[08-10]" is n08,
// n09, n10.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace suanli::slurm {

// Names in the order written, duplicates kept (as scontrol does). Hostlists are separated by
// commas or whitespace outside brackets. `max_hosts` bounds what "n[0-999999999]" may cost.
Result<std::vector<std::string>> ExpandHostlist(std::string_view hostlist,
                                                size_t max_hosts = 1 << 20);

// Joins runs of consecutive numeric suffixes in the order given (`scontrol show hostlist`):
// {n1, n2, n3, n7, login} -> "n[1-3,7],login". Only the last number of a name is ranged, as in
// Slurm, so "rack1-node01" and "rack2-node01" stay apart.
std::string CompressHostlist(const std::vector<std::string>& hosts);

// Sorts (by prefix, then number) and drops duplicates first (`scontrol show hostlistsorted`).
std::string CompressHostlistSorted(std::vector<std::string> hosts);

}  // namespace suanli::slurm
