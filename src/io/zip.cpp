#include "io/zip.h"

#include <zlib.h>

#include <cstdint>
#include <limits>

namespace repsim::io {
namespace {

// Little-endian fields, as the format wants them.
void Put16(std::string& out, uint32_t v) {
  out += static_cast<char>(v & 0xff);
  out += static_cast<char>((v >> 8) & 0xff);
}
void Put32(std::string& out, uint32_t v) {
  Put16(out, v & 0xffff);
  Put16(out, v >> 16);
}

constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr uint32_t kCentralHeader = 0x02014b50;
constexpr uint32_t kEndOfCentralDirectory = 0x06054b50;
constexpr uint32_t kVersion = 20;        // 2.0: what a stored file needs
constexpr uint32_t kUtf8Names = 0x0800;  // general-purpose flag bit 11
// 1980-01-01 00:00 in MS-DOS form: fixed, so the same input gives the same bytes.
constexpr uint32_t kDosTime = 0;
constexpr uint32_t kDosDate = (0 << 9) | (1 << 5) | 1;

}  // namespace

std::optional<std::string> StoredZip(const std::vector<ZipEntry>& entries) {
  constexpr uint64_t kMax32 = std::numeric_limits<uint32_t>::max();
  if (entries.size() >= 0xffff) return std::nullopt;
  std::string out, central;
  for (const ZipEntry& e : entries) {
    if (e.data.size() >= kMax32 || e.name.size() >= 0xffff || out.size() >= kMax32) {
      return std::nullopt;
    }
    const uint32_t crc = static_cast<uint32_t>(crc32_z(
        crc32_z(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(e.data.data()), e.data.size()));
    const auto size = static_cast<uint32_t>(e.data.size());
    const auto offset = static_cast<uint32_t>(out.size());
    Put32(out, kLocalHeader);
    Put16(out, kVersion);
    Put16(out, kUtf8Names);
    Put16(out, 0);  // method: stored
    Put16(out, kDosTime);
    Put16(out, kDosDate);
    Put32(out, crc);
    Put32(out, size);  // compressed
    Put32(out, size);  // uncompressed
    Put16(out, static_cast<uint32_t>(e.name.size()));
    Put16(out, 0);  // extra field length
    out += e.name;
    out += e.data;

    Put32(central, kCentralHeader);
    Put16(central, kVersion | (3 << 8));  // made by: version 2.0, UNIX
    Put16(central, kVersion);
    Put16(central, kUtf8Names);
    Put16(central, 0);
    Put16(central, kDosTime);
    Put16(central, kDosDate);
    Put32(central, crc);
    Put32(central, size);
    Put32(central, size);
    Put16(central, static_cast<uint32_t>(e.name.size()));
    Put16(central, 0);               // extra
    Put16(central, 0);               // comment
    Put16(central, 0);               // disk number
    Put16(central, 0);               // internal attributes
    Put32(central, 0100644u << 16);  // external: a regular file, rw-r--r--
    Put32(central, offset);
    central += e.name;
  }
  if (out.size() + central.size() >= kMax32) return std::nullopt;
  const auto central_offset = static_cast<uint32_t>(out.size());
  out += central;
  Put32(out, kEndOfCentralDirectory);
  Put16(out, 0);  // this disk
  Put16(out, 0);  // disk with the central directory
  Put16(out, static_cast<uint32_t>(entries.size()));
  Put16(out, static_cast<uint32_t>(entries.size()));
  Put32(out, static_cast<uint32_t>(central.size()));
  Put32(out, central_offset);
  Put16(out, 0);  // comment length
  return out;
}

}  // namespace repsim::io
