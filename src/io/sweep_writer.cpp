#include "io/sweep_writer.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <sstream>
#include <thread>

#include "io/interrupt.h"
#include "io/progress.h"
#include "io/columns.h"
#include "io/table.h"
#include "repsim/version.h"

namespace fs = std::filesystem;

namespace repsim::io {
namespace {

// Rows of report.md's "first rows" table, failures listed, pivot size.
constexpr size_t kFirstRows = 20;
constexpr size_t kFailuresListed = 5;
constexpr size_t kPivotRows = 11;
constexpr size_t kPivotColumns = 8;
// The summary columns report.md's sweep tables show.
constexpr std::string_view kShownColumns[] = {
    "loss_repeated", "loss_unique", "delta", "delta_pct", "effective_fraction", "wasted_compute"};
// Points per chunk: small enough to spread a small grid over every thread,
// large enough that the hand-over costs nothing; chunks in flight per thread.
constexpr uint64_t kMinChunk = 16;
constexpr uint64_t kMaxChunk = 2048;
constexpr uint64_t kChunksInFlightPerThread = 4;

// --- Fast, exact row formatting ------------------------------------------------
//
// A row is ~40 numbers (~580 bytes); through Column::Cell (a string per cell)
// writing it would cost more than evaluating the point. Here each numeric
// cell is written by FormatNumberFast (Num()'s text, so the same as
// summary.csv's) straight into the chunk's buffer from the column's own
// accessor (columns.h: the one definition of every column), and a column
// whose value did not change since the thread's previous row (the law's
// constants, the modifiers...) reuses its text. tests/test_sweep.cpp checks
// that every row equals the one built from Column::Cell.

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

// A number remembered from the previous row of this thread.
struct MemoCell {
  uint64_t bits = 0;
  uint32_t size = 0;
  bool set = false;
  char text[kNumberBuffer];
};

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

class RowFormatter {
 public:
  // `columns`: those after the axis values and the status, in order.
  RowFormatter(const std::vector<SweepAxis>& axes, const ColumnSet& columns)
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

  // Appends point `p` (value indices `coords`) as one CSV line with its newline.
  void Append(const SweepPoint& p, std::span<const size_t> coords, CharBuffer* buf) {
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
          o = WriteNumber(col.number(p.run, p.summary), &c.memo, o);
          break;
        case ColumnType::kOptional:
          if (auto v = col.Value(p.run, p.summary)) o = WriteNumber(*v, &c.memo, o);
          break;
        case ColumnType::kName: {  // an identifier: never quoted
          const std::string_view t = col.name_of(p.run, p.summary);
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

 private:
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

  void Remember(double v, const char* at, size_t size) {
    if (row_cache_size_ < kRowCache) {
      row_cache_[row_cache_size_++] = Written{std::bit_cast<uint64_t>(v), at, size};
    }
  }

  char* WriteNumber(double v, MemoCell* memo, char* o) {
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

  const std::vector<SweepAxis>& axes_;
  std::vector<std::vector<std::string>> axis_text_;
  std::vector<MemoCell> axis_memo_;
  std::vector<Cell> columns_;
  std::vector<std::string> text_cells_;
  std::array<Written, kRowCache> row_cache_{};
  size_t row_cache_size_ = 0;
};

// --- Small helpers ----------------------------------------------------------------

uint64_t Fnv1a(uint64_t h, std::string_view bytes) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::string ShortCell(double v) { return std::isnan(v) ? std::string("—") : Short(v); }

// Cell `index` of a CSV line as it stands (quotes kept; "" past the end).
std::string_view CellAt(std::string_view line, size_t index) {
  size_t start = 0;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      if (index == 0) return line.substr(start, i - start);
      --index;
      start = i + 1;
    }
  }
  return index == 0 ? line.substr(start) : std::string_view();
}

std::optional<double> ParseDouble(std::string_view s) {
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// "40 values from 1 to 1000" / "1 value: 7".
std::string DescribeAxis(const SweepAxis& a) {
  if (a.values.size() == 1) return fmt::format("`{}` = {}", a.key, Short(a.values.front()));
  return fmt::format("`{}` ({} values from {} to {})", a.key, a.values.size(),
                     Short(a.values.front()), Short(a.values.back()));
}

}  // namespace

// --- Numbers ---------------------------------------------------------------------------

size_t FormatNumberFast(double v, char* buf) {
  char* p = buf;
  if (std::signbit(v)) {
    *p++ = '-';
    v = -v;
  }
  if (!std::isfinite(v)) {
    const std::string_view word = std::isnan(v) ? "nan" : "inf";
    std::copy(word.begin(), word.end(), p);
    return static_cast<size_t>(p + 3 - buf);
  }
  // The shortest decimal that reads back to v: fmt's own Dragonbox, so the
  // digits are those fmt::format("{}") writes; the layout below is fmt 9's
  // do_write_float for the default specs (tests/test_sweep.cpp compares the two).
  const auto dec = fmt::detail::dragonbox::to_decimal(v);
  // Fixed-size copies below write past the text's end, within kNumberBuffer.
  // The significand's digits (at most 17): written zero-padded as 1 + 8 + 8
  // digits from three independent parts (short dependency chains, no loop),
  // then the leading zeros skipped.
  static constexpr char kPairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  auto write8 = [](uint32_t v, char* out) {  // v < 10^8, as exactly 8 digits
    const uint32_t hi = v / 10000, lo = v % 10000;
    std::memcpy(out, kPairs + 2 * (hi / 100), 2);
    std::memcpy(out + 2, kPairs + 2 * (hi % 100), 2);
    std::memcpy(out + 4, kPairs + 2 * (lo / 100), 2);
    std::memcpy(out + 6, kPairs + 2 * (lo % 100), 2);
  };
  const uint64_t sig = dec.significand;  // < 10^17
  const uint64_t upper = sig / 100000000;
  char tail[48];  // 17 digits at tail[0..16]; 17 bytes are read from the first digit
  tail[0] = static_cast<char>('0' + upper / 100000000);
  write8(static_cast<uint32_t>(upper % 100000000), tail + 1);
  write8(static_cast<uint32_t>(sig % 100000000), tail + 9);
  // Decimal digits of sig (>= 1): from its bit width, then one comparison.
  static constexpr auto kPow10 = [] {
    std::array<uint64_t, 18> p{};
    p[0] = 1;
    for (size_t i = 1; i < p.size(); ++i) p[i] = p[i - 1] * 10;
    return p;
  }();
  const int guess = (static_cast<int>(std::bit_width(sig)) * 1233) >> 12;  // floor(bits·log10 2)
  const int n = std::max(guess + (sig >= kPow10[guess] ? 1 : 0), 1);  // 0 is one digit
  const char* digits = tail + 17 - n;
  const int exponent = dec.exponent;
  const int output_exp = exponent + n - 1;
  if (output_exp < -4 || output_exp >= 16) {  // 1.234e+20, 5e-07
    *p++ = digits[0];
    if (n > 1) {
      *p++ = '.';
      std::memcpy(p, digits + 1, 16);  // at most 16 digits follow the first
      p += n - 1;
    }
    *p++ = 'e';
    int e = output_exp;
    *p++ = e < 0 ? '-' : '+';
    if (e < 0) e = -e;
    if (e >= 1000) *p++ = static_cast<char>('0' + e / 1000);
    if (e >= 100) *p++ = static_cast<char>('0' + e / 100 % 10);
    *p++ = static_cast<char>('0' + e / 10 % 10);
    *p++ = static_cast<char>('0' + e % 10);
  } else if (exponent >= 0) {  // 1234e5 -> 123400000 (at most 16 characters)
    std::memcpy(p, digits, 17);
    p += n;
    std::memset(p, '0', 16);
    p += exponent;
  } else if (exponent + n > 0) {  // 1234e-2 -> 12.34
    const int whole = exponent + n;
    std::memcpy(p, digits, 17);
    p += whole;
    *p++ = '.';
    std::memcpy(p, digits + whole, 17);
    p += n - whole;
  } else {  // 1234e-6 -> 0.001234
    *p++ = '0';
    *p++ = '.';
    std::memset(p, '0', 4);  // at most 4 zeros: 0.0001234
    p += -(exponent + n);
    std::memcpy(p, digits, 17);
    p += n;
  }
  return static_cast<size_t>(p - buf);
}

// --- Header and CSV ------------------------------------------------------------------

std::string SweepCsvHeader(const std::vector<SweepAxis>& axes) {
  std::string out;
  for (const SweepAxis& a : axes) {
    out += CsvCell(a.key);
    out += ',';
  }
  out += "status";
  for (const Column* c : DefaultColumns()) {
    out += ',';
    out += CsvCell(c->name);
  }
  out += '\n';
  return out;
}

std::vector<std::string> SplitCsvLine(std::string_view line) {
  std::vector<std::string> cells(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cells.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cells.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      cells.emplace_back();
    } else {
      cells.back() += c;
    }
  }
  return cells;
}

// --- The digest -------------------------------------------------------------------------

SweepDigest::SweepDigest(std::vector<SweepAxis> axes, std::vector<std::string> header,
                         IndexRange range, uint64_t grid_points)
    : axes_(std::move(axes)), header_(std::move(header)), range_(range), grid_points_(grid_points) {
  plan_ = PlanSweepPlot(axes_);
  for (size_t k = 0; k <= axes_.size() && k < header_.size(); ++k) keep_columns_.push_back(k);
  for (std::string_view name : kShownColumns) {
    for (size_t i = axes_.size() + 1; i < header_.size(); ++i) {
      if (header_[i] == name) keep_columns_.push_back(i);
    }
  }
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == "delta_pct") delta_pct_column_ = static_cast<int>(i);
  }
  first_rows_.resize(static_cast<size_t>(std::min<uint64_t>(kFirstRows, range_.size())));
  const size_t ny = plan_.kind == SweepPlotPlan::Kind::kHeatmap ? plan_.y_index.size() : 1;
  plot_z_.assign(plan_.x_index.size() * ny, std::numeric_limits<double>::quiet_NaN());
}

bool SweepDigest::Wants(uint64_t index) const {
  if (index < range_.begin || index >= range_.end) return false;
  if (index - range_.begin < first_rows_.size()) return true;
  if (plan_.kind == SweepPlotPlan::Kind::kNone) return false;
  for (size_t k = axes_.size(); k-- > 0;) {
    const uint64_t n = axes_[k].values.size();
    const auto c = static_cast<size_t>(index % n);
    index /= n;
    if (k == plan_.x) {
      if (plan_.XSlot(c) < 0) return false;
    } else if (plan_.kind == SweepPlotPlan::Kind::kHeatmap && k == plan_.y) {
      if (plan_.YSlot(c) < 0) return false;
    } else if (c != 0) {
      return false;
    }
  }
  return true;
}

std::vector<std::string> SweepDigest::KeepCells(std::string_view line) const {
  std::vector<std::string> cells = SplitCsvLine(line);
  std::vector<std::string> kept;
  for (size_t i : keep_columns_) kept.push_back(i < cells.size() ? cells[i] : std::string());
  return kept;
}

void SweepDigest::Record(uint64_t index, std::string_view line) {
  if (!Wants(index)) return;
  if (index - range_.begin < first_rows_.size())
    first_rows_[index - range_.begin] = KeepCells(line);
  if (plan_.kind == SweepPlotPlan::Kind::kNone) return;
  std::vector<size_t> c(axes_.size());
  SweepCoordinates(axes_, index, c);
  bool on_plot = true;
  for (size_t k = 0; k < axes_.size(); ++k) {
    if (k != plan_.x && !(plan_.kind == SweepPlotPlan::Kind::kHeatmap && k == plan_.y) &&
        c[k] != 0) {
      on_plot = false;
    }
  }
  const int xs = plan_.XSlot(c[plan_.x]);
  const int ys = plan_.kind == SweepPlotPlan::Kind::kHeatmap ? plan_.YSlot(c[plan_.y]) : 0;
  if (!on_plot || xs < 0 || ys < 0 || delta_pct_column_ < 0) return;
  if (auto v = ParseDouble(CellAt(line, static_cast<size_t>(delta_pct_column_)))) {
    plot_z_[static_cast<size_t>(ys) * plan_.x_index.size() + static_cast<size_t>(xs)] = *v;
  }
}

void SweepDigest::RecordFailure(uint64_t index, std::string_view line) {
  std::lock_guard lock(failures_mu_);
  if (failures_.size() == kFailuresListed && index > failures_.back().index) return;
  std::vector<std::string> cells = SplitCsvLine(line);
  cells.resize(std::min(cells.size(), axes_.size() + 1));
  Kept k{index, std::move(cells)};
  auto it = std::lower_bound(failures_.begin(), failures_.end(), index,
                             [](const Kept& a, uint64_t i) { return a.index < i; });
  failures_.insert(it, std::move(k));
  if (failures_.size() > kFailuresListed) failures_.pop_back();
}

void SweepDigest::AddCounts(uint64_t ok, uint64_t partial, uint64_t invalid) {
  ok_ += ok;
  partial_ += partial;
  invalid_ += invalid;
}

std::string SweepDigest::Markdown(int shard_index, int shard_count, bool with_plot) const {
  std::string out = fmt::format("\n{}\n## Sweep\n\n", kSweepSectionBegin);
  std::string axes_text;
  for (size_t k = 0; k < axes_.size(); ++k) axes_text += (k ? " × " : "") + DescribeAxis(axes_[k]);
  out += fmt::format(
      "{} points over {}. Every point is a row of `sweep.csv`, in grid order "
      "(the last axis varies fastest).\n",
      grid_points_, axes_text);
  if (shard_count > 0 && range_.size() == 0) {
    out += fmt::format(
        "\nThis folder holds **shard {} of {}**, which has no grid points (more "
        "shards than points). `repsim merge` joins the shards into the whole grid.\n",
        shard_index + 1, shard_count);
  } else if (shard_count > 0) {
    out += fmt::format(
        "\nThis folder holds **shard {} of {}**: grid points {} to {} "
        "({} rows). `repsim merge` joins the shards into the whole grid.\n",
        shard_index + 1, shard_count, range_.begin, range_.end - 1, range_.size());
  }
  out += fmt::format("\nStatus: {} ok", ok_);
  if (partial_) {
    out += fmt::format(", {} partial (a root finder found no solution; those cells are empty)",
                       partial_);
  }
  if (invalid_) out += fmt::format(", {} invalid (the point does not resolve)", invalid_);
  out += ".\n";

  const bool pivot = shard_count == 0 && plan_.kind == SweepPlotPlan::Kind::kHeatmap;
  if (pivot) {
    const SweepAxis& ax = axes_[plan_.x];
    const SweepAxis& ay = axes_[plan_.y];
    out += fmt::format(
        "\n### delta_pct by {} and {}\n\nLoss increase from repetition, in % of the "
        "fresh-data loss{}{}.\n\n",
        ax.key, ay.key, plan_.fixed.empty() ? "" : fmt::format(", with {}", plan_.fixed),
        with_plot ? "; all of it in `sweep_heatmap.svg`" : "");
    const std::vector<size_t> rows = SpreadIndices(plan_.x_index.size(), kPivotRows);
    const std::vector<size_t> cols = SpreadIndices(plan_.y_index.size(), kPivotColumns);
    out += fmt::format("| {} ↓ · {} → |", ax.key, ay.key);
    for (size_t c : cols) out += fmt::format(" {:.3g} |", ay.values[plan_.y_index[c]]);
    out += "\n|---:|";
    for (size_t i = 0; i < cols.size(); ++i) out += "---:|";
    out += "\n";
    for (size_t r : rows) {
      out += fmt::format("| {:.3g} |", ax.values[plan_.x_index[r]]);
      for (size_t c : cols) {
        const double z = plot_z_[c * plan_.x_index.size() + r];
        out += fmt::format(" {} |", std::isnan(z) ? std::string("—") : fmt::format("{:.3g}", z));
      }
      out += "\n";
    }
  } else if (!first_rows_.empty()) {
    out += fmt::format("\n### The first {} rows\n\n|", first_rows_.size());
    std::string rule = "|";
    for (size_t i : keep_columns_) {
      out += fmt::format(" {} |", header_[i]);
      rule += i == axes_.size() ? "---|" : "---:|";
    }
    out += "\n" + rule + "\n";
    for (const auto& row : first_rows_) {
      out += "|";
      for (size_t j = 0; j < row.size(); ++j) {
        const std::string& cell = row[j];
        const bool text = keep_columns_[j] == axes_.size();
        auto v = text || cell.empty() ? std::nullopt : ParseDouble(cell);
        out += fmt::format(" {} |", text ? cell : v ? ShortCell(*v) : cell);
      }
      out += "\n";
    }
  }
  if (!failures_.empty()) {
    out += "\n### Points that could not be fully evaluated (the first few)\n\n|";
    std::string rule = "|";
    for (size_t k = 0; k < axes_.size(); ++k) {
      out += fmt::format(" {} |", axes_[k].key);
      rule += "---:|";
    }
    out += " status |\n" + rule + "---|\n";
    for (const Kept& f : failures_) {
      out += "|";
      for (size_t j = 0; j < f.cells.size(); ++j) {
        auto v = j < axes_.size() ? ParseDouble(f.cells[j]) : std::nullopt;
        out += fmt::format(" {} |", v ? Short(*v) : f.cells[j]);
      }
      out += "\n";
    }
  }
  out += fmt::format("{}\n", kSweepSectionEnd);
  return out;
}

std::string SweepDigest::PlotData() const {
  if (plan_.kind == SweepPlotPlan::Kind::kNone) return {};
  const SweepAxis& ax = axes_[plan_.x];
  std::string out;
  auto z = [](double v) { return std::isnan(v) ? std::string("NaN") : Num(v); };
  if (plan_.kind == SweepPlotPlan::Kind::kLine) {
    out += fmt::format("# repsim sweep: delta_pct (% of the fresh-data loss) along {}{}\n", ax.key,
                       plan_.fixed.empty() ? "" : "; held: " + plan_.fixed);
    out += fmt::format("# columns: {} delta_pct (NaN: not evaluated)\n", ax.key);
    for (size_t i = 0; i < plan_.x_index.size(); ++i) {
      out += fmt::format("{} {}\n", Num(ax.values[plan_.x_index[i]]), z(plot_z_[i]));
    }
    return out;
  }
  const SweepAxis& ay = axes_[plan_.y];
  out += fmt::format("# repsim sweep: delta_pct (% of the fresh-data loss) over {} and {}{}\n",
                     ax.key, ay.key, plan_.fixed.empty() ? "" : "; held: " + plan_.fixed);
  out += fmt::format("# columns: {} {} delta_pct (NaN: not evaluated); one block per {} value\n",
                     ax.key, ay.key, ay.key);
  for (size_t j = 0; j < plan_.y_index.size(); ++j) {
    if (j) out += "\n";
    const std::string y = Num(ay.values[plan_.y_index[j]]);
    for (size_t i = 0; i < plan_.x_index.size(); ++i) {
      out += fmt::format("{} {} {}\n", Num(ax.values[plan_.x_index[i]]), y,
                         z(plot_z_[j * plan_.x_index.size() + i]));
    }
  }
  return out;
}

std::string ReplaceSweepSection(const std::string& report, const std::string& section) {
  const size_t b = report.find(kSweepSectionBegin);
  if (b == std::string::npos) return report;
  size_t e = report.find(kSweepSectionEnd, b);
  if (e == std::string::npos) return report;
  e += kSweepSectionEnd.size();
  if (e < report.size() && report[e] == '\n') ++e;
  // `section` starts with a blank line and the marker; the report has the blank line already.
  size_t start = b;
  if (start > 0 && report[start - 1] == '\n' && !section.empty() && section.front() == '\n')
    --start;
  return report.substr(0, start) + section + report.substr(e);
}

// --- Shard metadata --------------------------------------------------------------------

std::string ShardMetaToml(const ShardMeta& m) {
  std::string out =
      "# repsim: this folder holds one shard of a sweep. Join all the shards of the grid with\n"
      "#   repsim merge SHARD_DIR... --out DIR\n";
  auto line = [&](std::string kv, std::string_view comment) {
    out += comment.empty() ? kv + "\n" : fmt::format("{:<34}# {}\n", kv, comment);
  };
  line("format = 1", "");
  line("repsim_version = " + JsonString(m.version), "must match across shards");
  line("scenario = " + JsonString(m.scenario), "");
  line(fmt::format("shard = {}", m.shard), "1-based, of `shards`");
  line(fmt::format("shards = {}", m.shards), "");
  line(fmt::format("grid_points = {}", m.grid_points), "of the whole grid");
  line(fmt::format("begin = {}", m.begin), "first grid index in this shard's sweep.csv");
  line(fmt::format("end = {}", m.end), "one past the last");
  line(fmt::format("fingerprint = \"{}\"", m.fingerprint), "base scenario, axes and columns");
  line(fmt::format("plots = {}", m.plots), "the scenario's output.plots");
  for (const SweepAxis& a : m.axes) {
    out += fmt::format("\n[[axis]]\nkey = {}\nvalues = [", JsonString(a.key));
    for (size_t i = 0; i < a.values.size(); ++i) {
      // fmt's shortest form reads back exactly; TOML wants a '.' or an exponent in a float.
      std::string v = Num(a.values[i]);
      if (v.find_first_of(".eEn") == std::string::npos) v += ".0";
      out += (i ? ", " : "") + v;
    }
    out += "]\n";
  }
  return out;
}

Expected<ShardMeta> ParseShardMeta(const std::string& text, const std::string& path) {
  toml::table t;
  try {
    t = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return Error{fmt::format("{}: not a valid shard file: {}", path, e.description())};
  }
  auto missing = [&](const char* key) {
    return Error{
        fmt::format("{}: `{}` is missing or of the wrong type (was the file edited?)", path, key),
        key};
  };
  ShardMeta m;
  if (t["format"].value<int64_t>() != 1) return missing("format");
  auto str = [&](const char* k, std::string* out) {
    auto v = t[k].value<std::string>();
    if (v) *out = *v;
    return v.has_value();
  };
  auto uint = [&](const char* k, uint64_t* out) {
    auto v = t[k].value<int64_t>();
    if (!v || *v < 0) return false;
    *out = static_cast<uint64_t>(*v);
    return true;
  };
  uint64_t shard = 0, shards = 0;
  if (!str("repsim_version", &m.version)) return missing("repsim_version");
  if (!str("scenario", &m.scenario)) return missing("scenario");
  if (!str("fingerprint", &m.fingerprint)) return missing("fingerprint");
  if (!uint("shard", &shard)) return missing("shard");
  if (!uint("shards", &shards)) return missing("shards");
  if (!uint("grid_points", &m.grid_points)) return missing("grid_points");
  if (!uint("begin", &m.begin)) return missing("begin");
  if (!uint("end", &m.end)) return missing("end");
  auto plots = t["plots"].value<bool>();
  if (!plots) return missing("plots");
  m.plots = *plots;
  if (shards < 1 || shards > 1000000 || shard < 1 || shard > shards) {
    return Error{fmt::format("{}: shard = {}, shards = {}: must be 1 <= shard <= shards", path,
                             shard, shards),
                 "shard"};
  }
  m.shard = static_cast<int>(shard);
  m.shards = static_cast<int>(shards);
  const toml::array* axes = t["axis"].as_array();
  if (!axes || axes->empty()) return missing("axis");
  for (const toml::node& n : *axes) {
    const toml::table* at = n.as_table();
    if (!at) return missing("axis");
    SweepAxis a;
    auto key = (*at)["key"].value<std::string>();
    const toml::array* vals = (*at)["values"].as_array();
    if (!key || !vals || vals->empty()) return missing("axis");
    a.key = *key;
    for (const toml::node& v : *vals) {
      auto x = v.value<double>();
      if (!x) return missing("axis.values");
      a.values.push_back(*x);
    }
    m.axes.push_back(std::move(a));
  }
  const IndexRange expect = ShardRange(m.grid_points, m.shard - 1, m.shards);
  if (SweepGridSize(m.axes) != m.grid_points || expect.begin != m.begin || expect.end != m.end) {
    return Error{
        fmt::format("{}: the grid size or the rows [begin, end) do not match the axes "
                    "(was the file edited?)",
                    path)};
  }
  return m;
}

std::string SweepFingerprint(const Scenario& scenario) {
  uint64_t h = 0xcbf29ce484222325ULL;
  h = Fnv1a(h, "repsim-sweep/1\n");
  Expected<Run> run = Resolve(scenario.base);
  h = Fnv1a(h, run ? SummaryCsv(*run, Evaluate(*run)) : run.error());
  for (const SweepAxis& a : scenario.sweep) {
    h = Fnv1a(h, a.key);
    h = Fnv1a(h, fmt::format("/{}:", a.values.size()));
    for (double v : a.values) {
      const auto b = std::bit_cast<uint64_t>(v);
      h = Fnv1a(h, std::string_view(reinterpret_cast<const char*>(&b), sizeof b));
    }
  }
  h = Fnv1a(h, SweepCsvHeader(scenario.sweep));
  return fmt::format("{:016x}", h);
}

// --- RunSweep ----------------------------------------------------------------------------

std::optional<std::string> RunSweep(const Scenario& scenario, const SweepOptions& options,
                                    const Staging& staging, SweepReport* report) {
  const std::vector<SweepAxis>& axes = scenario.sweep;
  if (axes.empty()) return std::string("sweep: no [[sweep.axis]]");
  const uint64_t grid = SweepGridSize(axes);
  const IndexRange range = ShardRange(grid, options.shard_index, options.shard_count);
  const uint64_t n = range.size();
  const bool sharded = options.sharded;

  unsigned threads = options.threads > 0 ? static_cast<unsigned>(options.threads)
                                         : std::max(1u, std::thread::hardware_concurrency());
  const uint64_t chunk = std::clamp<uint64_t>(n / (threads * 8ULL + 1), kMinChunk, kMaxChunk);
  const uint64_t chunks = (n + chunk - 1) / chunk;
  threads = static_cast<unsigned>(std::max<uint64_t>(1, std::min<uint64_t>(threads, chunks)));
  const uint64_t window = threads * kChunksInFlightPerThread;

  const std::string header = SweepCsvHeader(axes);
  SweepDigest digest(axes, SplitCsvLine(std::string_view(header).substr(0, header.size() - 1)),
                     range, grid);

  const fs::path path = staging.dir() / kSweepCsvFile;
  std::unique_ptr<FILE, int (*)(FILE*)> file(staging.Open(kSweepCsvFile), &std::fclose);
  if (!file) return fmt::format("{}: cannot write", path.string());
  std::vector<char> buffer(1 << 20);
  std::setvbuf(file.get(), buffer.data(), _IOFBF, buffer.size());
  std::fwrite(header.data(), 1, header.size(), file.get());

  struct Slot {
    bool ready = false;
    CharBuffer text;
    uint64_t ok = 0, partial = 0, invalid = 0, closed_form = 0;
    uint64_t extrapolated = 0;  // points outside the law's fitted domain
    std::string example;        // the first one's extrapolation cell
  };
  std::vector<Slot> slots(window);
  // Chunk buffers go back to the workers once written: a fresh megabyte per
  // chunk would cost the kernel a page fault every 4 KiB.
  std::vector<CharBuffer> spare;
  std::mutex mu;
  std::condition_variable work_cv, done_cv;
  uint64_t next_chunk = 0, next_write = 0;
  std::atomic<bool> stop{false};
  std::string worker_error;

  auto worker = [&] {
    try {
      SweepEvaluator evaluator(scenario.base, axes);
      RowFormatter formatter(axes, DefaultColumns());
      SweepPoint point;
      std::vector<size_t> coords(axes.size());
      size_t row_bytes = 64 * (axes.size() + DefaultColumns().size() + 1);  // learnt per chunk
      while (true) {
        uint64_t c;
        {
          std::unique_lock lock(mu);
          work_cv.wait(lock, [&] {
            return stop || next_chunk >= chunks || next_chunk < next_write + window;
          });
          if (stop || next_chunk >= chunks) return;
          c = next_chunk++;
        }
        Slot s;
        {
          std::lock_guard lock(mu);
          if (!spare.empty()) {
            s.text = std::move(spare.back());
            spare.pop_back();
          }
        }
        s.text.Clear();
        const uint64_t closed_form_before = evaluator.closed_form_points();
        const uint64_t first = range.begin + c * chunk;
        const uint64_t last = std::min(range.end, first + chunk);
        s.text.Reserve(row_bytes * (last - first) + row_bytes / 4);  // grown by hand: no copies
        for (uint64_t i = first; i < last; ++i) {
          if (stop.load(std::memory_order_relaxed)) return;
          evaluator.Evaluate(i, &point);
          SweepCoordinates(axes, i, coords);
          const size_t start = s.text.size();
          formatter.Append(point, coords, &s.text);
          const std::string_view line(s.text.data() + start, s.text.size() - start - 1);
          if (digest.Wants(i)) digest.Record(i, line);
          switch (point.kind) {
            case PointStatus::kOk:
              ++s.ok;
              break;
            case PointStatus::kPartial:
              ++s.partial;
              break;
            case PointStatus::kInvalid:
              ++s.invalid;
              break;
          }
          if (point.kind != PointStatus::kOk) digest.RecordFailure(i, line);
          if (point.kind != PointStatus::kInvalid) {
            std::string outside = Extrapolation(point.run);
            if (!outside.empty() && s.extrapolated++ == 0) s.example = std::move(outside);
          }
        }
        row_bytes =
            std::max<size_t>(row_bytes, s.text.size() / static_cast<size_t>(last - first) + 16);
        s.closed_form = evaluator.closed_form_points() - closed_form_before;
        s.ready = true;
        {
          std::lock_guard lock(mu);
          slots[c % window] = std::move(s);
        }
        done_cv.notify_all();
      }
    } catch (const std::exception& e) {
      std::lock_guard lock(mu);
      if (worker_error.empty()) worker_error = e.what();
      stop = true;
      done_cv.notify_all();
      work_cv.notify_all();
    }
  };

  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
  auto stop_all = [&] {
    {
      std::lock_guard lock(mu);
      stop = true;
    }
    work_cv.notify_all();
    for (std::thread& t : pool) t.join();
    pool.clear();
  };

  std::optional<std::string> error;
  uint64_t closed_form = 0;
  {
    Progress progress(
        sharded ? fmt::format("sweep shard {}/{}", options.shard_index + 1, options.shard_count)
                : std::string("sweep"),
        n);
    for (uint64_t c = 0; c < chunks && !error; ++c) {
      Slot s;
      {
        std::unique_lock lock(mu);
        while (!slots[c % window].ready && !stop) {
          done_cv.wait_for(lock, std::chrono::milliseconds(50));
          if (Interrupted()) break;
        }
        if (Interrupted()) {
          error = fmt::format("interrupted after {} of {} sweep points; nothing written",
                              std::min(n, c * chunk), n);
          break;
        }
        if (!slots[c % window].ready) {
          error = fmt::format("sweep: internal error: {}", worker_error);
          break;
        }
        s = std::move(slots[c % window]);
        slots[c % window].ready = false;
        next_write = c + 1;
      }
      work_cv.notify_all();
      if (std::fwrite(s.text.data(), 1, s.text.size(), file.get()) != s.text.size()) {
        error = fmt::format("{}: cannot write (disk full?)", path.string());
      }
      digest.AddCounts(s.ok, s.partial, s.invalid);
      closed_form += s.closed_form;
      if (s.extrapolated && report->extrapolated == 0) report->extrapolation_example = s.example;
      report->extrapolated += s.extrapolated;
      progress.Tick(s.ok + s.partial + s.invalid);
      {
        std::lock_guard lock(mu);
        spare.push_back(std::move(s.text));
      }
    }
  }
  stop_all();
  if (error) return error;
  if (!worker_error.empty()) return fmt::format("sweep: internal error: {}", worker_error);
  if (std::fflush(file.get()) != 0 || std::ferror(file.get())) {
    return fmt::format("{}: cannot write (disk full?)", path.string());
  }
  if (std::fclose(file.release()) != 0) return fmt::format("{}: cannot write", path.string());

  report->points = n;
  report->grid_points = grid;
  report->begin = range.begin;
  report->partial = digest.partial();
  report->invalid = digest.invalid();
  report->failed = digest.partial() + digest.invalid();
  report->closed_form = closed_form;
  const bool plot =
      scenario.output.plots && !sharded && digest.plan().kind != SweepPlotPlan::Kind::kNone;
  report->markdown = digest.Markdown(options.shard_index, sharded ? options.shard_count : 0, plot);

  if (plot) {
    if (auto e = staging.Write(SweepPlotDataFile(digest.plan()), digest.PlotData())) return e;
  }
  if (sharded) {
    ShardMeta meta;
    meta.scenario = scenario.name;
    meta.version = REPSIM_VERSION;
    meta.shard = options.shard_index + 1;
    meta.shards = options.shard_count;
    meta.grid_points = grid;
    meta.begin = range.begin;
    meta.end = range.end;
    meta.fingerprint = SweepFingerprint(scenario);
    meta.plots = scenario.output.plots;
    meta.axes = axes;
    if (auto e = staging.Write(kShardMetaFile, ShardMetaToml(meta))) return e;
  }
  return std::nullopt;
}

}  // namespace repsim::io
