// The terminal table: alignment and wrapping of its last column to the
// terminal's width (io/table.h).
#include <algorithm>
#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "io/table.h"

using repsim::io::RenderText;
using repsim::io::Table;

namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

Table Sample() {
  Table t;
  t.AddColumn("quantity", false);
  t.AddColumn("value", true);
  t.AddColumn("meaning", false);
  t.AddRow({"delta", "0.824872", "loss_repeated - loss_unique: what repetition costs, nats"});
  t.AddRow({"epochs", "256", "D / U"});
  return t;
}

}  // namespace

TEST_CASE("text tables align columns and underline the header", "[table]") {
  const auto lines = Lines(RenderText(Sample()));
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] == "quantity  value     meaning");
  CHECK(lines[1] == std::string(8 + 2 + 8 + 2 + 56, '-'));
  CHECK(lines[2] == "delta     0.824872  loss_repeated - loss_unique: what repetition costs, nats");
  CHECK(lines[3] == "epochs         256  D / U");
}

TEST_CASE("a narrow terminal wraps the last column under itself", "[table]") {
  const auto lines = Lines(RenderText(Sample(), 44));
  // The meaning column starts at 20 and gets 24 characters per line.
  REQUIRE(lines.size() == 6);
  CHECK(lines[0] == "quantity  value     meaning");
  CHECK(lines[1] == std::string(44, '-'));
  CHECK(lines[2] == "delta     0.824872  loss_repeated -");
  CHECK(lines[3] == "                    loss_unique: what");
  CHECK(lines[4] == "                    repetition costs, nats");
  CHECK(lines[5] == "epochs         256  D / U");
  for (const std::string& l : lines) CHECK(l.size() <= 44);
  // Wide enough, or width unknown: exactly the unwrapped table.
  CHECK(RenderText(Sample(), 200) == RenderText(Sample()));
  CHECK(RenderText(Sample(), 0) == RenderText(Sample()));
}

TEST_CASE("a table too wide even when wrapped splits into blocks of columns", "[table]") {
  // 30 columns cannot hold quantity + value + 20 of meaning (40): two blocks,
  // each repeating the first column, the second one's text wrapped to 20.
  const auto lines = Lines(RenderText(Sample(), 30));
  for (const std::string& l : lines) CHECK(l.size() <= 30);
  REQUIRE(lines.size() == 12);
  CHECK(lines[0] == "quantity  value");
  CHECK(lines[2] == "delta     0.824872");
  CHECK(lines[3] == "epochs         256");
  CHECK(lines[4].empty());
  CHECK(lines[5] == "quantity  meaning");
  CHECK(lines[6] == std::string(30, '-'));
  CHECK(lines[7] == "delta     loss_repeated -");
  CHECK(lines[8] == "          loss_unique: what");
  CHECK(lines[9] == "          repetition costs,");
  CHECK(lines[10] == "          nats");
  CHECK(lines[11] == "epochs    D / U");
}

TEST_CASE("a text column in a block of its own gets the line's width back", "[table]") {
  // name + three 10-digit numbers + a 55-character source cannot fit 40
  // columns even with the source wrapped to 20: blocks. The source's block
  // then has 40 - 4 - 2 = 34 columns for it, so it takes 2 lines, not the
  // 3 it would take at the 20 the first pass left it.
  Table t;
  t.AddColumn("name", false);
  for (const char* c : {"a", "b", "c"}) t.AddColumn(c, true);
  t.AddColumn("source", false);
  t.AddRow({"x", "1111111111", "2222222222", "3333333333",
            "one two three four five six seven eight nine ten eleven"});
  const auto lines = Lines(RenderText(t, 40));
  for (const std::string& l : lines) CHECK(l.size() <= 40);
  const auto header = std::find(lines.begin(), lines.end(), "name  source");
  REQUIRE(header != lines.end());
  REQUIRE(lines.end() - header == 4);  // header, rule, 2 lines of the row
  CHECK(header[2] == "x     one two three four five six seven");
  CHECK(header[3] == "      eight nine ten eleven");
}

TEST_CASE("numbers are never cut, every text column may wrap", "[table]") {
  Table t;
  t.AddColumn("plan", false);
  t.AddColumn("params", true);
  t.AddColumn("note", false);
  t.AddRow({"data-constrained optimum at 1e+24 FLOPs", "1.23457e+10",
            "params 1.4x above 8.67e+09; epochs 2x above 1"});
  const std::string text = RenderText(t, 60);
  for (const std::string& l : Lines(text)) CHECK(l.size() <= 60);
  CHECK(text.find("1.23457e+10") != std::string::npos);
  CHECK(RenderText(t, 0) == RenderText(t));
}

TEST_CASE("Wrap breaks long lines at spaces, indenting the rest", "[table]") {
  using repsim::io::Wrap;
  CHECK(Wrap("warning: a b c", 100) == "warning: a b c");
  const std::string long_line =
      "warning: the run is outside the range its law was fitted on: params 11.5x above 8.67e+09; "
      "epochs 2x above 1, so treat its numbers as an extrapolation";
  const std::string w = Wrap(long_line, 60);
  for (const std::string& l : Lines(w)) CHECK(l.size() <= 60);
  CHECK(Lines(w).at(1).rfind("  ", 0) == 0);
  std::string joined;
  for (const std::string& l : Lines(w)) {
    const size_t first = l.find_first_not_of(' ');
    if (!joined.empty()) joined += ' ';
    joined += l.substr(first);
  }
  CHECK(joined == long_line);
  CHECK(Wrap(long_line, 0) == long_line);
  // An indented line keeps its indentation on the first line (run --intervals'
  // band lines are "  name value [lo, hi]: ..."), the rest at `indent`.
  const std::string indented = "  " + long_line;
  const std::vector<std::string> parts = Lines(Wrap(indented, 60, 4));
  REQUIRE(parts.size() >= 2);
  CHECK(parts[0].rfind("  warning: ", 0) == 0);
  CHECK(parts[1].rfind("    ", 0) == 0);
  for (const std::string& l : parts) CHECK(l.size() <= 60);
}
