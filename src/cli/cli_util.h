// Helpers shared by the subcommands' argument parsing (Boost.Program_options).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "cli/commands.h"

namespace repsim::cli {

// Boost.Program_options reads "--compute -1" as two flags; this joins each
// value-taking long flag with its value ("--compute=-1") so that negative
// numbers reach the command's own validation and get its message.
std::vector<std::string> JoinFlagValues(const boost::program_options::options_description& desc,
                                        const Args& args);

// Parses `args` against `opts` plus any number of positional arguments stored
// in `positional`. Prints --help (exit 0) or the parse error naming `command`
// (exit 2) and returns the exit code when the command should stop now.
std::optional<int> ParseWithPositionals(const Args& args,
                                        const boost::program_options::options_description& opts,
                                        std::vector<std::string>* positional,
                                        const char* command);

// The width of the terminal standard output writes to, in columns; 0 when it
// is not a terminal (a pipe or a file: lines are then left unwrapped).
size_t TerminalColumns();

}  // namespace repsim::cli
