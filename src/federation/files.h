#pragma once
// The small files the broker and a center's reporter read and write: tokens and URLs.
#include <sys/types.h>

#include <string>

#include "base/status.h"

namespace suanli::federation {

// The file's text without trailing whitespace; "" when it cannot be read.
std::string ReadTrimmedFile(const std::string& path);
// temp file, fsync, rename, with `mode`: a crash never leaves half a token or URL.
Status WriteFileDurably(const std::string& path, const std::string& content, mode_t mode);

}  // namespace suanli::federation
