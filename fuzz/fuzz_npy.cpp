// libFuzzer target: the embeddings readers of `repsim select` (.npy, and the
// same bytes as CSV). A crash, sanitizer report or hang is a bug; so is a
// matrix accepted with a non-finite value or an error without a message.
// The readers take a path (they memory-map), so each input goes through a
// file of this process.
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "select/embeddings.h"

namespace {

void Require(bool ok) {
  if (!ok) std::abort();
}

void Check(const repsim::Expected<repsim::io::Embeddings>& e) {
  if (!e) {
    Require(!e.error().empty());
    return;
  }
  Require(e->rows() > 0 && e->dim() > 0);
  const float* v = e->data();
  for (size_t i = 0; i < e->rows() * e->dim(); ++i) Require(std::isfinite(v[i]));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string base = "/tmp/repsim-fuzz-" + std::to_string(getpid());
  for (const char* ext : {".npy", ".csv"}) {
    const std::string path = base + ext;
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return 0;
    if (size > 0) std::fwrite(data, 1, size, f);
    std::fclose(f);
    Check(repsim::io::ReadEmbeddings(path));
    std::remove(path.c_str());
  }
  return 0;
}
