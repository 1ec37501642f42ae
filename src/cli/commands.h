// The subcommands of `repsim`. Each takes the arguments after its name and
// returns the process exit code: 0 success, 1 internal failure, 2 bad input
// or usage (STYLE.md).
#pragma once

#include <string>
#include <vector>

namespace repsim::cli {

using Args = std::vector<std::string>;

int RunCommand(const Args& args);         // repsim run FILE... [--out DIR]
int CheckCommand(const Args& args);       // repsim check FILE...
int LawsCommand(const Args& args);        // repsim laws
int MergeCommand(const Args& args);       // repsim merge SHARD_DIR... --out DIR
int PlanCommand(const Args& args);        // repsim plan table|scale|allocate|kaplan ...
int FitCommand(const Args& args);         // repsim fit RUNS.csv ...
int FitRatioCommand(const Args& args);    // repsim fit RUNS.csv --form ratio ...
int FitOverfitCommand(const Args& args);  // repsim fit RUNS.csv --form overfit ...
int CalibrateCommand(const Args& args);   // repsim calibrate
int ServeCommand(const Args& args);       // repsim serve [--host H] [--port P] [--open]
int SelectCommand(const Args& args);      // repsim select EMBEDDINGS --fraction F | --count K ...
int ColumnsCommand(const Args& args);     // repsim columns
int ValidateCommand(const Args& args);    // repsim validate RUNS.csv ...
int SlurmCommand(const Args& args);       // repsim slurm FILE --shards N

}  // namespace repsim::cli
