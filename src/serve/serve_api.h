// The JSON API of `repsim serve` (the page uses only this), as pure
// functions: request body in, status and body out. No sockets, no files:
// scenarios come from the request body and every result is built in memory
// (Staging::InMemory), so no request can read or write a file on the server.
//
//   POST /api/run          TOML body → summary.json's document (the same keys
//                          and numbers `repsim run` writes, by the same
//                          writer) plus "trajectory", and "compare",
//                          "sweep_axes", "sweep" when the scenario has them
//   POST /api/check        TOML body → {"ok": true, ...} or the diagnostics
//   POST /api/results.zip  TOML body → a zip of the scenario file and of the
//                          folder `repsim run` would write (without the SVG
//                          renderings: the gnuplot scripts and data are there)
//   GET  /api/laws         the presets and their constants (`repsim laws`)
//   GET  /api/columns      every summary column and its meaning
//
// Bad input is status 400 with {"error": TEXT, "diagnostics": [{file, line,
// column, message, text}], "more": N} (line 0: about the whole file; at most
// kMaxDiagnosticsShown diagnostics, "more" counts those left out).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace repsim::io {

struct ServeLimits {
  // Sweeps larger than this are refused (400) before any point is evaluated.
  uint64_t max_sweep_points = 20000;
  // output.trajectory_points above this are refused (400).
  int max_trajectory_points = 4096;
  // [[compare]] variants above this are refused (400).
  size_t max_compare_variants = 200;
  int sweep_threads = 0;  // 0: all cores
};

struct ApiReply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::string filename;  // for a download: Content-Disposition's file name
};

struct RunRequest {
  bool sweep = true;  // false: leave the sweep out (the page's fast path)
  // The sweep's summary columns to return (the axes and status always are);
  // empty: all of them. Unknown names are a 400.
  std::vector<std::string> sweep_columns;
  bool allow_implausible = false;  // as `repsim run --allow-implausible`
};

// The name scenario diagnostics give the request body.
inline constexpr const char* kRequestFileName = "scenario.toml";

ApiReply ApiRun(std::string_view toml, const ServeLimits& limits, const RunRequest& request);
ApiReply ApiCheck(std::string_view toml, const ServeLimits& limits, bool allow_implausible = false);
ApiReply ApiResultsZip(std::string_view toml, const ServeLimits& limits,
                       bool allow_implausible = false);
ApiReply ApiLaws();
ApiReply ApiColumns();
// {"error": message} with `status`.
ApiReply ApiError(int status, std::string_view message);

}  // namespace repsim::io
