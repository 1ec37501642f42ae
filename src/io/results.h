// Results out: summary.csv/.json, trajectory.csv, compare.csv, report.md,
// written into a staging folder that replaces results/<name>/ only when
// everything was written (STYLE.md: nothing half-written).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "repsim/engine.h"
#include "repsim/scenario.h"

namespace repsim::io {

struct CompareRow {
  std::string name;
  Run run;
  Summary summary;
};

// Everything `repsim run` computed for one scenario file.
struct ScenarioResults {
  std::string source_path;
  Scenario scenario;
  Run run;
  Summary summary;
  std::vector<TrajectoryPoint> trajectory;
  std::vector<CompareRow> compare;  // ranked by loss_repeated, best first
  std::string sweep_markdown;       // filled by the sweep writer, "" if no sweep
};

// The file contents (pure functions, tested directly).
std::string SummaryCsv(const Run& run, const Summary& s);
std::string SummaryJson(const ScenarioResults& r);
std::string TrajectoryCsv(const std::vector<TrajectoryPoint>& t);
// One row per data source (one for a plain [data]): epochs, D'_i, marginal value.
std::string SourcesCsv(const Summary& s);
std::string CompareCsv(const std::vector<CompareRow>& rows);
std::string ReportMarkdown(const ScenarioResults& r);
// The aligned table `repsim run` prints.
// `width`: the terminal's columns (0: unknown; lines are then not wrapped).
std::string TerminalSummary(const ScenarioResults& r, size_t width = 0);

// A temporary folder next to the final one; Commit() swaps it into place.
// Destroyed uncommitted, it removes itself.
class Staging {
 public:
  // Error when the output folder cannot be created or is not a folder.
  static std::optional<std::string> Create(const std::filesystem::path& out_dir,
                                           const std::string& name, std::optional<Staging>* out);
  Staging(Staging&& other) noexcept;
  Staging& operator=(Staging&&) = delete;
  ~Staging();

  const std::filesystem::path& dir() const { return tmp_; }
  const std::filesystem::path& final_dir() const { return final_; }
  std::optional<std::string> Write(const std::string& file, const std::string& content) const;
  std::optional<std::string> Commit();

 private:
  Staging(std::filesystem::path tmp, std::filesystem::path final_dir);
  std::filesystem::path tmp_, final_;
  bool done_ = false;
};

// Writes every file the scenario asks for into `staging`.
std::optional<std::string> WriteResults(const ScenarioResults& r, const Staging& staging);

}  // namespace repsim::io
