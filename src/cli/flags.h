// The command-line toolkit every `repsim` subcommand uses: flag declaration
// and parsing, the --help layout, the error shape, suggestions, number and
// quantity flags and the exit codes. One parser, so that every command
// behaves the same (docs/MAINTAINING.md "Adding a subcommand"). The
// arguments are read by Boost.Program_options (without guessing); FlagSet
// keeps repsim's rules and messages on top of it.
//
// The rules, for every command:
// * Flags are spelt out: `--name VALUE` or `--name=VALUE`, short `-x VALUE`
//   or `-xVALUE`, short switches grouped (`-qh`). No abbreviations: a flag is
//   a promise, and a prefix that works today would break when a longer flag
//   is added; an unknown flag gets "did you mean" instead (io/suggest.h).
// * A flag that takes a value takes the next argument whatever it looks like
//   (`--compute -1` reaches the command's range check). `--` ends the flags;
//   `-` alone is a positional argument (standard input, where a command says).
// * A flag given twice is an error unless it is declared repeatable.
// * Errors: "repsim CMD: error: MESSAGE" on stderr, then a hint naming
//   `repsim CMD --help` for usage errors; exit code 2.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "io/table.h"
#include "repsim/law.h"
#include "repsim/status.h"

namespace repsim::cli {

// Exit codes of every subcommand (STYLE.md). A command killed by a signal it
// handles (SIGINT, SIGTERM) exits 128 + the signal, as a shell reports it.
inline constexpr int kExitOk = 0;
inline constexpr int kExitInternal = 1;  // a bug, or a computation that failed
inline constexpr int kExitBadInput = 2;  // bad input or usage, or output that cannot be written
// `repsim run --strict-verdicts` only: a ranking flips inside an assumption's
// stated range (or under the law's bootstrap refits with --intervals).
inline constexpr int kExitVerdictFlips = 3;
// The sentence every --help ends with.
inline constexpr std::string_view kExitCodesHelp =
    "Exit codes: 0 success, 1 internal failure, 2 bad input or usage, or output that\n"
    "cannot be written.";

// "repsim CMD: error: MESSAGE" on stderr; returns `code`.
int Fail(std::string_view command, std::string_view message, int code = kExitBadInput);
// "repsim CMD: warning: MESSAGE" on stderr.
void Warn(std::string_view command, std::string_view message);

// One subcommand's flags. Declare them, then Parse().
class FlagSet {
 public:
  // `command`: as typed after `repsim` ("run", "plan table").
  // `usage`: the Usage lines and what the command does; --help prints it
  // first, then the flags, then the epilogue, then kExitCodesHelp.
  FlagSet(std::string command, std::string usage);

  // A flag without a value. `short_name` '\0' for none.
  FlagSet& Switch(std::string name, char short_name, bool* out, std::string help);
  // A flag with a value, at most once; `*out` keeps its value when absent.
  FlagSet& Value(std::string name, char short_name, std::string value_name, std::string* out,
                 std::string help);
  // A flag with a value that may be repeated; values in order.
  FlagSet& Repeated(std::string name, std::string value_name, std::vector<std::string>* out,
                    std::string help);
  // The command takes positional arguments (without it, any is an error).
  // `value_name` names them in messages ("FILE").
  FlagSet& Positionals(std::string value_name, std::vector<std::string>* out);
  // Text after the flag list (examples, notes).
  FlagSet& Epilogue(std::string text);

  // Parses `args`. Returns an exit code when the command should stop now:
  // kExitOk after printing --help to stdout, kExitBadInput after printing a
  // usage error to stderr. Nothing when the command should go on.
  std::optional<int> Parse(const Args& args);
  // Whether the flag `name` (without dashes) was given.
  bool Given(std::string_view name) const;

  // The whole --help text.
  std::string Help() const;
  // Prints "repsim CMD: error: MESSAGE" and the --help hint; returns kExitBadInput.
  int UsageError(std::string_view message) const;
  // Prints "repsim CMD: error: MESSAGE"; returns `code`.
  int Error(std::string_view message, int code = kExitBadInput) const {
    return Fail(command_, message, code);
  }
  const std::string& command() const { return command_; }

 private:
  enum class Kind { kSwitch, kValue, kRepeated };
  struct Flag {
    std::string name;
    char short_name = '\0';
    Kind kind = Kind::kSwitch;
    std::string value_name, help;
    bool* on = nullptr;
    std::string* value = nullptr;
    std::vector<std::string>* values = nullptr;
    bool given = false;
  };
  // The name Boost.Program_options gives the positional arguments.
  static constexpr const char* kPositional = "positional arguments";
  const Flag* Find(std::string_view name) const;
  Args Tokens(const Args& args) const;
  MaybeError Set(Flag& f, std::string value);
  std::string Suggestion(std::string_view typed) const;
  Expected<bool> ParseOrError(const Args& args);

  std::string command_, usage_, epilogue_;
  std::vector<Flag> flags_;
  std::string positional_name_;
  std::vector<std::string>* positionals_ = nullptr;
};

// --- Values ---------------------------------------------------------------------------

// How a number flag is read: both with the core's parser (scenario.h), so
// that what a scenario file accepts a flag accepts too.
enum class NumberKind {
  kNumber,    // a plain number: ParseNumber ("2.5", "1e22")
  kQuantity,  // params, tokens, FLOPs: ParseQuantity ("7B", "1.5T", "2e9")
};
// A finite number > 0 from `text`. `flag` ("--compute") and `what` (the unit
// and an example, "training FLOPs, e.g. 1e22") go into the messages.
Expected<double> PositiveNumber(std::string_view flag, std::string_view text, NumberKind kind,
                                std::string_view what);
// An integer in [lo, hi] ("--threads = 'two': must be an integer from 0 to
// 1024", "--threads = 5000: must be from 0 to 1024"); a leading '+' is allowed.
Expected<long long> IntegerInRange(std::string_view flag, std::string_view text, long long lo,
                                   long long hi);
// The same for unsigned values up to 2^64 − 1 (--seed).
Expected<uint64_t> UnsignedInRange(std::string_view flag, std::string_view text, uint64_t lo,
                                   uint64_t hi);
// A law preset by name (LawPresetNames()), with a suggestion when unknown.
Expected<LawPreset> LawPresetFlag(std::string_view flag, std::string_view text);
// A name from `names`, with a suggestion when unknown ("--format = 'xml':
// unknown format, did you mean ...? (one of: a, b)"); returns its index.
Expected<size_t> ChoiceFlag(std::string_view flag, std::string_view text, std::string_view what,
                            std::span<const std::string_view> names);

// --format of the commands that print one table (io/table.h): table or
// text, csv, json, md or markdown.
Expected<io::TableFormat> TableFormatFlag(std::string_view text);

// "a, b, c".
std::string Join(std::span<const std::string_view> items, std::string_view sep = ", ");

// The width of the terminal standard output writes to, in columns; 0 when it
// is not a terminal (a pipe or a file: lines are then left unwrapped).
size_t TerminalColumns();

}  // namespace repsim::cli
