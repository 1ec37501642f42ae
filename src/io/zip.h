// A minimal ZIP archive writer (PKWARE APPNOTE 6.3.x, "stored": no
// compression, no ZIP64) for `repsim serve`'s results download, built in
// memory. CRC-32 from zlib.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace repsim::io {

struct ZipEntry {
  std::string name;  // a relative path with '/' separators, UTF-8
  std::string data;
};

// The archive's bytes; nothing when it would need ZIP64 (an entry or the
// whole archive of 4 GiB or more, or 65535 entries or more).
std::optional<std::string> StoredZip(const std::vector<ZipEntry>& entries);

}  // namespace repsim::io
