// The terminal table: alignment and wrapping of its last column to the
// terminal's width (io/table.h).
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
  // Too narrow to leave the last column 20 characters: not wrapped at all.
  CHECK(RenderText(Sample(), 30) == RenderText(Sample()));
}
