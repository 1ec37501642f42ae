// sweep.csv's rows: its header and a fast, exact row writer.
//
// A row is ~50 cells (~600 bytes); through Column::Cell (a string per cell)
// writing it would cost more than evaluating the point. RowFormatter writes
// each numeric cell with FormatNumberFast (Num()'s text, so the same as
// summary.csv's) straight into the chunk's buffer from the column's own
// accessor (columns.h: the one definition of every column), and a column
// whose value did not change since the thread's previous row (the law's
// constants, the modifiers...) reuses its text. tests/test_sweep.cpp checks
// that every row equals the one built from Column::Cell.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "io/columns.h"
#include "io/number_format.h"
#include "repsim/sweep.h"

namespace repsim::io {

// The header row of sweep.csv (with its newline): the axis keys, `status`,
// then `columns` (DefaultColumns() unless given).
std::string SweepCsvHeader(const std::vector<SweepAxis>& axes,
                           const ColumnSet& columns = DefaultColumns());

// A growable byte buffer written through a raw pointer: a chunk of rows.
class CharBuffer {
 public:
  CharBuffer() = default;
  CharBuffer(CharBuffer&& o) noexcept : data_(std::move(o.data_)), size_(o.size_), cap_(o.cap_) {
    o.size_ = o.cap_ = 0;
  }
  CharBuffer& operator=(CharBuffer&& o) noexcept {
    data_ = std::move(o.data_);
    size_ = o.size_;
    cap_ = o.cap_;
    o.size_ = o.cap_ = 0;
    return *this;
  }
  // Room for `n` more bytes; write them, then Commit() the end.
  char* Reserve(size_t n) {
    if (size_ + n > cap_) {
      const size_t cap = std::max(size_ + n, 2 * cap_ + 4096);
      std::unique_ptr<char[]> grown(new char[cap]);
      if (size_) std::memcpy(grown.get(), data_.get(), size_);
      data_ = std::move(grown);
      cap_ = cap;
    }
    return data_.get() + size_;
  }
  void Commit(const char* end) { size_ = static_cast<size_t>(end - data_.get()); }
  void Clear() { size_ = 0; }  // keeps the memory, already paged in
  const char* data() const { return data_.get(); }
  size_t size() const { return size_; }

 private:
  std::unique_ptr<char[]> data_;
  size_t size_ = 0, cap_ = 0;
};

// Writes sweep points as CSV lines. One per thread: it remembers the text of
// the previous row's numbers.
class RowFormatter {
 public:
  // `columns`: those after the axis values and the status, in order (any
  // subset of the registry, e.g. only the columns that vary over a grid).
  RowFormatter(const std::vector<SweepAxis>& axes, const ColumnSet& columns);

  // Appends point `p` (value indices `coords`) as one CSV line with its newline.
  void Append(const SweepPoint& p, std::span<const size_t> coords, CharBuffer* buf);

 private:
  // A number remembered from the previous row of this thread.
  struct MemoCell {
    uint64_t bits = 0;
    uint32_t size = 0;
    bool set = false;
    char text[kNumberBuffer];
  };
  struct Cell {
    const Column* column = nullptr;
    MemoCell memo;
  };
  // Numbers already written in this row (a column often repeats another:
  // unique_tokens and its axis, dropout_end_epoch and epochs...).
  struct Written {
    uint64_t bits;
    const char* at;
    size_t size;
  };
  static constexpr size_t kRowCache = 8;

  void Remember(double v, const char* at, size_t size);
  char* WriteNumber(double v, MemoCell* memo, char* o);

  const std::vector<SweepAxis>& axes_;
  std::vector<std::vector<std::string>> axis_text_;
  std::vector<MemoCell> axis_memo_;
  std::vector<Cell> columns_;
  std::vector<std::string> text_cells_;
  std::array<Written, kRowCache> row_cache_{};
  size_t row_cache_size_ = 0;
};

}  // namespace repsim::io
