#include "io/results.h"

#include "io/report_markdown.h"
#include "io/results_csv.h"
#include "io/results_json.h"

namespace repsim::io {

MaybeError WriteResults(const ScenarioResults& r, const Staging& staging) {
  const OutputOptions& o = r.scenario.output;
  MaybeError err;
  if (o.csv) {
    if ((err = staging.Write("summary.csv", SummaryCsv(r.run, r.summary)))) return err;
    if ((err = staging.Write("trajectory.csv", TrajectoryCsv(r.trajectory)))) return err;
    if ((err = staging.Write("sources.csv", SourcesCsv(r.summary)))) return err;
    if (!r.compare.empty() && (err = staging.Write("compare.csv", CompareCsv(r.compare))))
      return err;
    if (!r.caveats.empty() && (err = staging.Write("caveats.csv", CaveatsCsv(r.caveats))))
      return err;
  }
  if (o.json && (err = staging.Write("summary.json", SummaryJson(r)))) return err;
  if (o.md && (err = staging.Write("report.md", ReportMarkdown(r)))) return err;
  return std::nullopt;
}

}  // namespace repsim::io
