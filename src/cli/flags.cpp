#include "cli/flags.h"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iterator>

#include "io/suggest.h"
#include "repsim/scenario.h"

namespace repsim::cli {
namespace {

// --help wraps flag descriptions at this width (the width of the usage texts).
constexpr size_t kHelpWidth = 100;
// The flag column is at most this wide; a longer flag puts its text below.
constexpr size_t kMaxFlagColumn = 30;

std::string TrimNewlines(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  while (!s.empty() && s.front() == '\n') s.erase(s.begin());
  return s;
}

// Greedy word wrap of `text` into lines of at most `width` characters.
std::vector<std::string> Wrap(std::string_view text, size_t width) {
  std::vector<std::string> lines;
  std::string line;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    size_t j = text.find(' ', i);
    if (j == std::string_view::npos) j = text.size();
    const std::string_view word = text.substr(i, j - i);
    if (!word.empty()) {
      if (!line.empty() && line.size() + 1 + word.size() > width) {
        lines.push_back(std::move(line));
        line.clear();
      }
      if (!line.empty()) line += ' ';
      line.append(word);
    }
    i = j;
  }
  if (!line.empty() || lines.empty()) lines.push_back(std::move(line));
  return lines;
}

}  // namespace

int Fail(std::string_view command, std::string_view message, int code) {
  fmt::print(stderr, "repsim {}: error: {}\n", command, message);
  return code;
}

void Warn(std::string_view command, std::string_view message) {
  fmt::print(stderr, "repsim {}: warning: {}\n", command, message);
}

FlagSet::FlagSet(std::string command, std::string usage)
    : command_(std::move(command)), usage_(std::move(usage)) {}

FlagSet& FlagSet::Switch(std::string name, char short_name, bool* out, std::string help) {
  Flag f;
  f.name = std::move(name);
  f.short_name = short_name;
  f.kind = Kind::kSwitch;
  f.help = std::move(help);
  f.on = out;
  flags_.push_back(std::move(f));
  return *this;
}

FlagSet& FlagSet::Value(std::string name, char short_name, std::string value_name, std::string* out,
                        std::string help) {
  Flag f;
  f.name = std::move(name);
  f.short_name = short_name;
  f.kind = Kind::kValue;
  f.value_name = std::move(value_name);
  f.help = std::move(help);
  f.value = out;
  flags_.push_back(std::move(f));
  return *this;
}

FlagSet& FlagSet::Repeated(std::string name, std::string value_name, std::vector<std::string>* out,
                           std::string help) {
  Flag f;
  f.name = std::move(name);
  f.kind = Kind::kRepeated;
  f.value_name = std::move(value_name);
  f.help = std::move(help);
  f.values = out;
  flags_.push_back(std::move(f));
  return *this;
}

FlagSet& FlagSet::Positionals(std::string value_name, std::vector<std::string>* out) {
  positional_name_ = std::move(value_name);
  positionals_ = out;
  return *this;
}

FlagSet& FlagSet::Epilogue(std::string text) {
  epilogue_ = std::move(text);
  return *this;
}

const FlagSet::Flag* FlagSet::Find(std::string_view name) const {
  for (const Flag& f : flags_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

bool FlagSet::Given(std::string_view name) const {
  const Flag* f = Find(name);
  return f != nullptr && f->given;
}

std::string FlagSet::Suggestion(std::string_view typed) const {
  std::vector<std::string> names = {"--help"};
  for (const Flag& f : flags_) names.push_back("--" + f.name);
  std::vector<std::string_view> views(names.begin(), names.end());
  return io::DidYouMean(typed, views);
}

// Boost has checked that a switch has no value and a value flag has one.
MaybeError FlagSet::Set(Flag& f, std::string value) {
  if (f.kind == Kind::kSwitch) {
    *f.on = true;
  } else if (f.kind == Kind::kValue) {
    if (f.given) return fmt::format("--{} given more than once", f.name);
    *f.value = std::move(value);
  } else {
    f.values->push_back(std::move(value));
  }
  f.given = true;
  return std::nullopt;
}

// The arguments as Boost.Program_options is to read them: a short flag that
// takes a value and ends its argument ("-j", "-qj") is joined with the next
// argument ("-j-1"), so that it takes it whatever it looks like, as a long
// flag does (Boost refuses "-j -1": the value looks like a flag).
Args FlagSet::Tokens(const Args& args) const {
  Args out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      out.insert(out.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
      break;
    }
    // "--name=": an empty value, which Boost refuses; as "--name" "" it is one.
    if (const size_t eq = a.find('='); a.rfind("--", 0) == 0 && eq + 1 == a.size()) {
      const Flag* f = Find(std::string_view(a).substr(2, eq - 2));
      if (f != nullptr && f->kind != Kind::kSwitch) {
        out.push_back(a.substr(0, eq));
        out.emplace_back();
        continue;
      }
    }
    out.push_back(a);
    if (a.size() < 2 || a[0] != '-' || a[1] == '-' || i + 1 >= args.size()) continue;
    bool joins = false;  // every letter before the last a switch, the last a value flag
    for (size_t k = 1; k < a.size(); ++k) {
      const Flag* f = nullptr;
      for (const Flag& g : flags_) {
        if (g.short_name == a[k]) f = &g;
      }
      if (f == nullptr) break;
      if (f->kind != Kind::kSwitch) {
        joins = k + 1 == a.size();
        break;
      }
    }
    if (joins) out.back() += args[++i];
  }
  return out;
}

// Ok(true) when --help was asked for. Boost.Program_options reads the
// arguments (no guessing: a flag is spelt out); the values are then taken in
// order, so that the first mistake is the one reported, in repsim's words.
Expected<bool> FlagSet::ParseOrError(const Args& args) {
  namespace po = boost::program_options;
  po::options_description options;
  for (const Flag& f : flags_) {
    const std::string names = f.short_name ? fmt::format("{},{}", f.name, f.short_name) : f.name;
    if (f.kind == Kind::kSwitch) {
      options.add_options()(names.c_str(), "");
    } else {
      options.add_options()(names.c_str(), po::value<std::string>(), "");
    }
  }
  options.add_options()("help,h", "");
  options.add_options()(kPositional, po::value<std::vector<std::string>>(), "");
  po::positional_options_description positional;
  positional.add(kPositional, -1);
  const Args tokens = Tokens(args);
  // A flag's spelling as typed ("--out", "-o") and the text after its '=' if any.
  auto typed = [&](const po::error_with_option_name& e) {
    std::string name = e.get_option_name();
    std::optional<std::string> value;
    for (const std::string& t : tokens) {
      if (t.rfind(name + "=", 0) == 0) value = t.substr(name.size() + 1);
    }
    return std::pair{name, value};
  };

  po::parsed_options parsed(&options);
  try {
    parsed =
        po::command_line_parser(tokens)
            .options(options)
            .positional(positional)
            .style(po::command_line_style::unix_style & ~po::command_line_style::allow_guessing)
            .run();
  } catch (const po::unknown_option& e) {
    std::string name = e.get_option_name();
    name = name.substr(0, name.find('='));    // "--bogus=3": the flag is --bogus
    if (name.size() > 2 && name[1] != '-') {  // "-qx": the first letter that is no flag
      for (size_t k = 1; k < name.size(); ++k) {
        bool known = name[k] == 'h';
        for (const Flag& f : flags_) known = known || f.short_name == name[k];
        if (!known) {
          name = std::string{'-', name[k]};
          break;
        }
      }
    }
    // A short flag in a group ("-qx") gets no suggestion: "-x" is not what was typed.
    const bool alone =
        name.rfind("--", 0) == 0 || std::find(tokens.begin(), tokens.end(), name) != tokens.end();
    return repsim::Error{
        fmt::format("unknown flag '{}'{}", name, alone ? Suggestion(name) : std::string())};
  } catch (const po::invalid_command_line_syntax& e) {
    const auto [name, value] = typed(e);
    if (name == "--help" || name == "-h") return repsim::Error{"--help takes no value"};
    const Flag* f = nullptr;
    for (const Flag& g : flags_) {
      if (name == fmt::format("--{}", g.name) ||
          (g.short_name && name == std::string{'-', g.short_name}))
        f = &g;
    }
    if (f != nullptr && e.kind() == po::invalid_command_line_syntax::missing_parameter) {
      // Boost names the flag in full; it was typed short when the last
      // argument ("-j", "-qj") ends with its letter.
      const std::string& last = tokens.back();
      const bool short_form = f->short_name && last.size() >= 2 && last[0] == '-' &&
                              last[1] != '-' && last.back() == f->short_name;
      return repsim::Error{fmt::format("{} needs a value ({})",
                                       short_form ? std::string{'-', f->short_name} : name,
                                       f->value_name)};
    }
    if (f != nullptr && e.kind() == po::invalid_command_line_syntax::extra_parameter) {
      return repsim::Error{fmt::format("{} takes no value (got '{}')", name, value.value_or(""))};
    }
    return repsim::Error{e.what()};
  } catch (const po::error& e) {
    return repsim::Error{e.what()};
  }

  bool help = false;
  for (const po::option& o : parsed.options) {
    if (o.string_key == kPositional) {
      if (positionals_ == nullptr) {
        return repsim::Error{
            fmt::format("unexpected argument '{}': every input is a --flag", o.value.at(0))};
      }
      positionals_->push_back(o.value.at(0));
      continue;
    }
    if (o.string_key == "help") {
      help = true;
      continue;
    }
    Flag& f = *const_cast<Flag*>(Find(o.string_key));
    if (auto e = Set(f, o.value.empty() ? std::string() : o.value[0])) return repsim::Error{*e};
  }
  return help;
}

std::optional<int> FlagSet::Parse(const Args& args) {
  const Expected<bool> r = ParseOrError(args);
  if (!r) return UsageError(r.error());
  if (*r) {
    fmt::print("{}", Help());
    return kExitOk;
  }
  return std::nullopt;
}

int FlagSet::UsageError(std::string_view message) const {
  Fail(command_, message);
  fmt::print(stderr, "Run 'repsim {} --help' for usage.\n", command_);
  return kExitBadInput;
}

std::string FlagSet::Help() const {
  struct Row {
    std::string left, help;
  };
  std::vector<Row> rows;
  for (const Flag& f : flags_) {
    std::string left = f.short_name ? fmt::format("  -{}, --{}", f.short_name, f.name)
                                    : fmt::format("      --{}", f.name);
    if (f.kind != Kind::kSwitch) left += " " + f.value_name;
    rows.push_back({std::move(left), f.help + (f.kind == Kind::kRepeated ? " (repeatable)" : "")});
  }
  rows.push_back({"  -h, --help", "print this help"});
  size_t column = 0;
  for (const Row& r : rows) column = std::max(column, r.left.size() + 2);
  column = std::min(column, kMaxFlagColumn);

  std::string out = TrimNewlines(usage_) + "\n\nOptions:\n";
  for (const Row& r : rows) {
    const std::vector<std::string> lines = Wrap(r.help, kHelpWidth - column);
    std::string first = r.left;
    if (first.size() + 2 > column) {
      out += first + "\n";
      first.clear();
    }
    for (size_t i = 0; i < lines.size(); ++i) {
      const std::string& left = i == 0 ? first : std::string();
      out += left + std::string(column - left.size(), ' ') + lines[i] + "\n";
    }
  }
  const std::string epilogue = TrimNewlines(epilogue_);
  if (!epilogue.empty()) out += "\n" + epilogue + "\n";
  fmt::format_to(std::back_inserter(out), "\n{}\n", kExitCodesHelp);
  return out;
}

// --- Values -----------------------------------------------------------------------------

Expected<double> PositiveNumber(std::string_view flag, std::string_view text, NumberKind kind,
                                std::string_view what) {
  const std::string range = fmt::format("must be a finite number > 0 ({})", what);
  const std::optional<double> v =
      kind == NumberKind::kQuantity ? ParseQuantity(text) : ParseNumber(text);
  if (!v) {
    return repsim::Error{
        fmt::format("{} = '{}': not a number; {}{}", flag, text, range,
                    kind == NumberKind::kQuantity ? ", suffixes K, M, B, T allowed" : "")};
  }
  if (!std::isfinite(*v) || !(*v > 0)) {
    return repsim::Error{fmt::format("{} = '{}': {}", flag, text, range)};
  }
  return *v;
}

namespace {

template <typename Int>
Expected<Int> ReadInteger(std::string_view flag, std::string_view text, Int lo, Int hi) {
  Int v = 0;
  std::string_view t = text;
  if (!t.empty() && t.front() == '+') t.remove_prefix(1);
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || ptr != t.data() + t.size()) {
    return repsim::Error{
        fmt::format("{} = '{}': must be an integer from {} to {}", flag, text, lo, hi)};
  }
  if (v < lo || v > hi) {
    return repsim::Error{fmt::format("{} = {}: must be from {} to {}", flag, v, lo, hi)};
  }
  return v;
}

}  // namespace

Expected<long long> IntegerInRange(std::string_view flag, std::string_view text, long long lo,
                                   long long hi) {
  return ReadInteger(flag, text, lo, hi);
}

Expected<uint64_t> UnsignedInRange(std::string_view flag, std::string_view text, uint64_t lo,
                                   uint64_t hi) {
  return ReadInteger(flag, text, lo, hi);
}

Expected<size_t> ChoiceFlag(std::string_view flag, std::string_view text, std::string_view what,
                            std::span<const std::string_view> names) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == text) return i;
  }
  return repsim::Error{fmt::format("{} = '{}': unknown {}{} (one of: {})", flag, text, what,
                                   io::DidYouMean(text, names), Join(names))};
}

Expected<LawPreset> LawPresetFlag(std::string_view flag, std::string_view text) {
  const Expected<size_t> i = ChoiceFlag(flag, text, "preset", LawPresetNames());
  if (!i) return repsim::Error{i.error()};
  return AllLawPresets()[*i];
}

Expected<io::TableFormat> TableFormatFlag(std::string_view text) {
  static constexpr std::string_view kNames[] = {"table", "text", "csv", "json", "md", "markdown"};
  if (const std::optional<io::TableFormat> f = io::TableFormatFromString(text)) return *f;
  return repsim::Error{fmt::format("--format = '{}': unknown format{} (one of: {})", text,
                                   io::DidYouMean(text, kNames), Join(kNames))};
}

std::string Join(std::span<const std::string_view> items, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

size_t TerminalColumns() {
  if (isatty(STDOUT_FILENO) != 1) return 0;
  winsize ws{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0) return 0;
  return ws.ws_col;
}

}  // namespace repsim::cli
