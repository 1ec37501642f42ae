// Embeddings in: .npy (numpy's format, versions 1-3, float32 or float64,
// C order, 2-D) or CSV (one row per example, an optional id column).
//
// Memory stays linear in the input: a float32 .npy is memory-mapped
// privately (MAP_PRIVATE), so reading it copies nothing and normalising it in
// place copies only the pages it writes, never the file on disk; a float64
// .npy is mapped read-only and converted once to float32; a CSV is mapped
// read-only and parsed into one float32 array.
//
// Every error is located: "FILE: row R, column C: ..." for .npy data,
// "FILE: header: ..." for its header, "FILE:LINE:COL: ..." with the line and a
// caret for CSV. Non-finite values (NaN, inf, or a float64 beyond float32's
// range) are errors.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "repsim/select.h"
#include "repsim/status.h"

namespace repsim::io {

class Embeddings {
 public:
  Embeddings() = default;
  Embeddings(Embeddings&&) noexcept;
  Embeddings& operator=(Embeddings&&) noexcept;
  Embeddings(const Embeddings&) = delete;
  Embeddings& operator=(const Embeddings&) = delete;
  ~Embeddings();

  size_t rows() const { return rows_; }
  size_t dim() const { return dim_; }
  float* data() { return data_; }  // writable (private mapping or owned)
  const float* data() const { return data_; }
  EmbeddingMatrix matrix() const { return {data_, rows_, dim_}; }
  // One id per row from a CSV id column; empty when the file has none.
  const std::vector<std::string>& ids() const { return ids_; }
  // What was read, for people: "npy v1.0 float32 (memory-mapped)", "csv", ...
  const std::string& format() const { return format_; }

 private:
  friend Expected<Embeddings> ReadNpy(const std::string& path);
  friend Expected<Embeddings> ReadEmbeddingsCsv(const std::string& path);
  void* map_ = nullptr;  // mmap'ed region, when any
  size_t map_size_ = 0;
  std::vector<float> owned_;
  float* data_ = nullptr;
  size_t rows_ = 0, dim_ = 0;
  std::vector<std::string> ids_;
  std::string format_;
};

// By extension: ".npy" is numpy's format, anything else is read as CSV.
Expected<Embeddings> ReadEmbeddings(const std::string& path);
Expected<Embeddings> ReadNpy(const std::string& path);
// CSV: values separated by commas; blank lines are skipped. The first line is
// a header when any of its cells is not a number. The first column holds ids
// (kept as text, not used as a coordinate) when the header names it "id", or
// when there is no header and the first cell of the first row is not a number.
// Every row must have as many values as the first. Cells may be quoted (RFC 4180).
Expected<Embeddings> ReadEmbeddingsCsv(const std::string& path);

}  // namespace repsim::io
