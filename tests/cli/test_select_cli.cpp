// `repsim select` end to end: the real binary on .npy and CSV files written
// here, its outputs, and every bad input (located error, exit 2, nothing
// written, an earlier output left as it was).
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "cli_util.h"

using repsim::test::ReadFile;
using repsim::test::RunRepsim;
using repsim::test::TempDir;

namespace {

// A .npy file as numpy's format document describes it (NEP 1): magic, version,
// header length (2 bytes in v1, 4 in v2/v3), a dict padded with spaces and a
// newline so that the data start at a multiple of 64, then the raw values.
std::string NpyBytes(const std::string& descr, const std::string& shape, const std::string& data,
                     int major = 1, bool fortran = false) {
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
                     ", 'shape': " + shape + ", }";
  const size_t pre = major == 1 ? 10 : 12;
  size_t total = pre + dict.size() + 1;
  const size_t pad = (64 - total % 64) % 64;
  dict += std::string(pad, ' ') + "\n";
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  const uint32_t len = static_cast<uint32_t>(dict.size());
  out += static_cast<char>(len & 0xff);
  out += static_cast<char>((len >> 8) & 0xff);
  if (major != 1) {
    out += static_cast<char>((len >> 16) & 0xff);
    out += static_cast<char>((len >> 24) & 0xff);
  }
  return out + dict + data;
}

template <class T>
std::string Raw(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

std::string Write(const TempDir& dir, const std::string& name, const std::string& bytes) {
  std::string path = dir.str() + "/" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

// Three tight groups of rows in 4 dimensions.
std::vector<float> Groups(size_t n) {
  std::mt19937_64 g(9);
  std::vector<float> x;
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < 4; ++j) {
      const double centre = (j == i % 3) ? 1.0 : 0.0;
      x.push_back(static_cast<float>(centre + 0.01 * (static_cast<double>(g() % 1000) / 1000.0)));
    }
  }
  return x;
}

}  // namespace

TEST_CASE("repsim select --help explains the command", "[select][cli]") {
  const auto r = RunRepsim("select --help");
  CHECK(r.code == 0);
  for (const char* s : {"--fraction", "--count", "--clusters", "--method", "--seed", "--out",
                        "--no-normalize", "--epochs", "--tokens-per-example", "covering radius",
                        "selected.csv", "summary.json", "report.md", "Exit codes"}) {
    CHECK_THAT(r.out, Catch::Contains(s));
  }
}

TEST_CASE("repsim select: .npy (v1, v2, v3, float32/64) and CSV give the same selection",
          "[select][cli]") {
  TempDir dir;
  const size_t n = 300;
  const auto x = Groups(n);
  const std::vector<double> x64(x.begin(), x.end());
  // Shortest text that reads back to the same float: the CSV holds the same values.
  std::string csv = "id,a,b,c,d\n";
  for (size_t i = 0; i < n; ++i) {
    csv += "ex" + std::to_string(i);
    for (size_t j = 0; j < 4; ++j) csv += fmt::format(",{}", x[i * 4 + j]);
    csv += "\n";
  }
  const std::string shape = "(300, 4)";
  const std::vector<std::string> inputs = {
      Write(dir, "v1.npy", NpyBytes("<f4", shape, Raw(x))),
      Write(dir, "v2.npy", NpyBytes("<f4", shape, Raw(x), 2)),
      Write(dir, "v3.npy", NpyBytes("<f4", shape, Raw(x), 3)),
      Write(dir, "f64.npy", NpyBytes("<f8", shape, Raw(x64))),
      Write(dir, "ids.csv", csv),
  };
  std::string first_rows;
  for (size_t k = 0; k < inputs.size(); ++k) {
    const std::string out = dir.str() + "/out" + std::to_string(k);
    const auto r = RunRepsim("select '" + inputs[k] + "' --count 9 --seed 4 --out '" + out +
                             "' --epochs 15 --tokens-per-example 700");
    CAPTURE(inputs[k], r.err);
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("covering radius"));
    const std::string sel = ReadFile(out + "/selected.csv");
    const std::string json = ReadFile(out + "/summary.json");
    CHECK_THAT(ReadFile(out + "/report.md"), Catch::Contains("## Coverage against a random"));
    CHECK_THAT(json, Catch::Contains("\"tokens_seen\": 94500"));  // 15 x 9 x 700
    CHECK_THAT(json, Catch::Contains("\"count\": 9"));
    // 9 rows + header; the row numbers are the same whatever the format.
    std::string rows;
    size_t lines = 0;
    for (size_t p = sel.find('\n') + 1; p < sel.size(); p = sel.find('\n', p) + 1) {
      rows += sel.substr(p, sel.find(',', p) - p) + " ";
      ++lines;
    }
    CHECK(lines == 9);
    if (k == 0) first_rows = rows;
    CHECK(rows == first_rows);
    if (k == 4) CHECK_THAT(sel, Catch::Contains(",ex"));  // ids kept from the CSV
  }
}

TEST_CASE("repsim select: the same files for a seed whatever --threads", "[select][cli]") {
  TempDir dir;
  const auto x = Groups(3000);
  const std::string in = Write(dir, "x.npy", NpyBytes("<f4", "(3000, 4)", Raw(x)));
  std::string json[2], sel[2];
  for (int t = 1; t <= 2; ++t) {
    const std::string out = dir.str() + "/t" + std::to_string(t);
    const auto r =
        RunRepsim(fmt::format("select '{}' --fraction 0.01 --threads {} --out '{}'", in, t, out));
    REQUIRE(r.code == 0);
    json[t - 1] = ReadFile(out + "/summary.json");
    sel[t - 1] = ReadFile(out + "/selected.csv");
  }
  CHECK(json[0] == json[1]);
  CHECK(sel[0] == sel[1]);
}

TEST_CASE("repsim select: bad inputs are located errors, exit 2, nothing written",
          "[select][cli]") {
  TempDir dir;
  const auto x = Groups(30);
  std::vector<float> nan = x;
  nan[4 * 7 + 2] = std::nanf("");
  std::vector<double> huge(x.begin(), x.end());
  huge[5] = 1e300;
  const std::string good = Write(dir, "good.npy", NpyBytes("<f4", "(30, 4)", Raw(x)));
  const std::string full = NpyBytes("<f4", "(30, 4)", Raw(x));
  struct Bad {
    std::string file;  // written into dir, or "" to use good.npy
    std::string bytes;
    std::string flags;
    std::string message;
  };
  const std::vector<Bad> cases = {
      {"magic.npy", "PK\x03\x04 not numpy at all", "--count 3", "byte 0: not a .npy file"},
      {"version.npy", std::string("\x93NUMPY\x07\x00", 8) + "xx", "--count 3",
       "format version 7.0 is not supported"},
      {"truncated.npy", full.substr(0, full.size() - 10), "--count 3",
       "truncated: shape (30, 4) needs 480 bytes of float32 data, the file has 470 (it ends in "
       "row 29, column 1"},
      {"header.npy", full.substr(0, 40), "--count 3", "header: truncated"},
      {"long.npy", full + "1234", "--count 3", "4 bytes after the last row"},
      {"nan.npy", NpyBytes("<f4", "(30, 4)", Raw(nan)), "--count 3",
       "row 7, column 2 (counting from 0): NaN"},
      {"huge.npy", NpyBytes("<f8", "(30, 4)", Raw(huge)), "--count 3",
       "row 1, column 1 (counting from 0): 1e+300 is beyond float32's range"},
      {"int.npy", NpyBytes("<i8", "(30, 4)", std::string(960, '\0')), "--count 3",
       "dtype '<i8' is not supported"},
      {"fortran.npy", NpyBytes("<f4", "(30, 4)", Raw(x), 1, true), "--count 3",
       "fortran_order is True"},
      {"flat.npy", NpyBytes("<f4", "(120,)", Raw(x)), "--count 3", "shape (120,) is not 2-D"},
      {"zero.npy", NpyBytes("<f4", "(0, 4)", ""), "--count 3", "zero rows"},
      {"empty.csv", "", "--count 3", "the file is empty (zero rows)"},
      {"header-only.csv", "id,a,b\n", "--count 3", "no rows of numbers (zero rows)"},
      {"ragged.csv", "1,2,3\n4,5,6\n7,8\n", "--count 1",
       "ragged.csv:3:4: error: ragged rows: this row has 2 cells, line 1 has 3"},
      {"nan.csv", "1,2,3\n4,nan,6\n", "--count 1", "nan.csv:2:3: error: 'nan' is NaN"},
      {"text.csv", "a,b\n1,2\n1,x\n", "--count 1", "text.csv:3:3: error: 'x' is not a number"},
      {"zeros.csv", "1,2\n0,0\n", "--count 1", "row 1 (counting from 0) is all zeros"},
      {"", "", "--fraction 0", "--fraction = '0': must be a number with 0 < F <= 1"},
      {"", "", "--fraction -0.5", "--fraction = '-0.5': must be a number with 0 < F <= 1"},
      {"", "", "--fraction 1.5", "--fraction = '1.5': must be a number with 0 < F <= 1"},
      {"", "", "--fraction abc", "--fraction = 'abc': must be a number"},
      {"", "", "--count 31", "--count: 31 examples to select: must be from 1 to the 30 there are"},
      {"", "", "--count 0", "--count = 0: must be from 1 to 4294967295"},
      {"", "", "--count 5 --clusters 6", "--clusters: 6 clusters for 5 selected examples"},
      {"", "", "--count 5 --fraction 0.1", "give exactly one of --fraction F and --count K"},
      {"", "", "", "give exactly one of --fraction F and --count K"},
      {"", "", "--count 5 --method kcentre", "unknown method, did you mean 'kcenter'?"},
      {"", "", "--count 5 --epochs 3", "--epochs and --tokens-per-example go together"},
      {"", "", "--count 5 --epochs -3 --tokens-per-example 5",
       "--epochs = '-3': must be a number > 0"},
      {"", "", "--count 5 --seed -1", "--seed = '-1'"},
  };
  const std::string out = dir.str() + "/out";
  // An earlier output must survive every failed run untouched.
  REQUIRE(RunRepsim("select '" + good + "' --count 3 --out '" + out + "'").code == 0);
  const std::string before = ReadFile(out + "/summary.json");
  for (const Bad& b : cases) {
    const std::string in = b.file.empty() ? good : Write(dir, b.file, b.bytes);
    const auto r = RunRepsim(fmt::format("select '{}' {} --out '{}'", in, b.flags, out));
    CAPTURE(b.file, b.flags, r.err);
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::Contains(b.message));
    CHECK(r.out.empty());
    CHECK(ReadFile(out + "/summary.json") == before);
  }
  // Nothing else was created next to it (no staging folder left behind).
  size_t entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    entries += e.path().filename().string().rfind(".out", 0) == 0 ? 1 : 0;
  }
  CHECK(entries == 0);
  // A folder that is not an earlier output is never replaced.
  std::filesystem::create_directories(dir.path() / "mine");
  std::ofstream(dir.path() / "mine" / "notes.txt") << "keep me";
  const auto r = RunRepsim("select '" + good + "' --count 3 --out '" + dir.str() + "/mine'");
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Catch::Contains("is not an earlier `repsim select` output"));
  CHECK(ReadFile(dir.path() / "mine" / "notes.txt") == "keep me");
}
