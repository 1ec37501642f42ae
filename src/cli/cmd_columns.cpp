// `repsim columns`: the output columns, their units and meanings (columns.h).
// `--format md` prints docs/SCENARIO.md's table (`make doc-tables` puts it there).
// `--keys`: the scenario keys instead (scenario_keys.h), docs/SCENARIO.md's table.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/flags.h"
#include "io/columns.h"
#include "io/table.h"

namespace repsim::cli {

int ColumnsCommand(const Args& args) {
  std::string format = "table";
  bool keys = false;
  FlagSet flags("columns",
                "Usage: repsim columns [--keys] [--format table|csv|json|md]\n\n"
                "Lists the columns of summary.csv/.json, compare.csv and sweep.csv: name, unit\n"
                "and meaning. compare.csv adds a first column `name` (the variant); sweep.csv\n"
                "adds the axis values and a `status` column first. `--format md` prints the\n"
                "table docs/SCENARIO.md holds.\n\n"
                "With --keys, lists the scenario keys instead: every key a scenario file,\n"
                "--set, a sweep axis or a [[compare]] variant may set, with its kind, unit,\n"
                "range and meaning (`--format md`: the table docs/SCENARIO.md holds).");
  flags.Value("format", 'f', "FMT", &format, "table (default), csv, json or md (markdown)");
  flags.Switch("keys", '\0', &keys, "list the scenario keys instead of the output columns");
  if (auto code = flags.Parse(args)) return *code;
  const Expected<io::TableFormat> f = TableFormatFlag(format);
  if (!f) return flags.UsageError(f.error());
  if (*f == io::TableFormat::kMarkdown) {
    fmt::print("{}", keys ? io::KeysMarkdown() : io::ColumnsMarkdown());
  } else {
    fmt::print("{}", io::Render(keys ? io::KeysTable() : io::ColumnsTable(), *f));
  }
  return kExitOk;
}

}  // namespace repsim::cli
