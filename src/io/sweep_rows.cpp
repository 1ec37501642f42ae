#include "io/sweep_rows.h"

#include <algorithm>
#include <bit>

#include "io/table.h"

namespace repsim::io {
namespace {

// The longest text of a number (fmt's shortest form: "-1.2345678901234567e-308").
constexpr size_t kMaxNumber = 25;
// A number's text is copied as a fixed 32-byte block (one instruction or two,
// not a call): rows reserve that much room per cell.
constexpr size_t kCopy = 32;
// The longest name a text column writes (ToString of an enum), with room to spare.
constexpr size_t kMaxName = 48;
static_assert(kMaxName + 1 >= kCopy && kMaxNumber < kCopy);

// Axis values take few distinct values: their text is made once (up to a limit).
constexpr size_t kMaxPreformattedAxisValues = 1 << 16;

}  // namespace

std::string SweepCsvHeader(const std::vector<SweepAxis>& axes, const ColumnSet& columns) {
  std::string out;
  for (const SweepAxis& a : axes) {
    out += CsvCell(a.key);
    out += ',';
  }
  out += "status";
  for (const Column* c : columns) {
    out += ',';
    out += CsvCell(c->name);
  }
  out += '\n';
  return out;
}

RowFormatter::RowFormatter(const std::vector<SweepAxis>& axes, const ColumnSet& columns)
    : axes_(axes), axis_memo_(axes.size()) {
  for (const SweepAxis& a : axes) {
    std::vector<std::string> texts;
    if (a.values.size() <= kMaxPreformattedAxisValues) {
      for (double v : a.values) texts.push_back(Num(v));
    }
    axis_text_.push_back(std::move(texts));
  }
  for (const Column* c : columns) columns_.push_back(Cell{c, {}});
}

void RowFormatter::Remember(double v, const char* at, size_t size) {
  if (row_cache_size_ < kRowCache) {
    row_cache_[row_cache_size_++] = Written{std::bit_cast<uint64_t>(v), at, size};
  }
}

char* RowFormatter::WriteNumber(double v, MemoCell* memo, char* o) {
  const auto bits = std::bit_cast<uint64_t>(v);
  if (!memo->set || memo->bits != bits) {
    memo->size = 0;
    for (size_t i = 0; i < row_cache_size_ && !memo->size; ++i) {
      if (row_cache_[i].bits == bits) {
        std::memcpy(memo->text, row_cache_[i].at, row_cache_[i].size);
        memo->size = static_cast<uint32_t>(row_cache_[i].size);
      }
    }
    if (!memo->size) {
      memo->size = static_cast<uint32_t>(FormatNumberFast(v, memo->text));
      Remember(v, o, memo->size);
    }
    memo->bits = bits;
    memo->set = true;
  }
  std::memcpy(o, memo->text, kCopy);  // the row has room; only `size` bytes count
  return o + memo->size;
}

void RowFormatter::Append(const SweepPoint& p, std::span<const size_t> coords, CharBuffer* buf) {
  const bool invalid = p.kind == PointStatus::kInvalid;
  // Free-text cells first, to size the row.
  size_t extra = 0;
  text_cells_.clear();
  if (!invalid) {
    for (const Cell& c : columns_) {
      if (c.column->type == ColumnType::kText) {
        text_cells_.push_back(CsvCell(c.column->Text(p.run, p.summary)));
        extra += text_cells_.back().size();
      }
    }
  }
  const std::string status = CsvCell(p.status);
  char* const row = buf->Reserve(axes_.size() * (kCopy + 1) + status.size() +
                                 columns_.size() * (kMaxName + 1) + extra + kCopy);
  char* o = row;
  row_cache_size_ = 0;
  for (size_t k = 0; k < axes_.size(); ++k) {
    const double v = axes_[k].values[coords[k]];
    if (!axis_text_[k].empty()) {
      const std::string& t = axis_text_[k][coords[k]];
      std::copy(t.begin(), t.end(), o);
      Remember(v, o, t.size());
      o += t.size();
    } else {
      o = WriteNumber(v, &axis_memo_[k], o);
    }
    *o++ = ',';
  }
  std::copy(status.begin(), status.end(), o);
  o += status.size();
  size_t text = 0;
  for (Cell& c : columns_) {
    *o++ = ',';
    if (invalid) continue;
    const Column& col = *c.column;
    switch (col.type) {
      case ColumnType::kNumber:
        o = WriteNumber(col.Number(p.run, p.summary), &c.memo, o);
        break;
      case ColumnType::kOptional:
        if (auto v = col.Value(p.run, p.summary)) o = WriteNumber(*v, &c.memo, o);
        break;
      case ColumnType::kName: {  // an identifier: never quoted
        const std::string_view t = col.Name(p.run, p.summary);
        std::memcpy(o, t.data(), std::min(t.size(), kMaxName));
        o += std::min(t.size(), kMaxName);
        break;
      }
      case ColumnType::kText: {
        const std::string& t = text_cells_[text++];
        std::copy(t.begin(), t.end(), o);
        o += t.size();
        break;
      }
    }
  }
  *o++ = '\n';
  buf->Commit(o);
}

}  // namespace repsim::io
