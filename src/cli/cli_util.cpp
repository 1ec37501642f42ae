#include "cli/cli_util.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <iostream>

#include <fmt/format.h>

namespace po = boost::program_options;

namespace repsim::cli {

std::vector<std::string> JoinFlagValues(const po::options_description& desc, const Args& args) {
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) == 0 && a.find('=') == std::string::npos && i + 1 < args.size()) {
      const po::option_description* opt = desc.find_nothrow(a.substr(2), false);
      if (opt != nullptr && opt->semantic()->max_tokens() > 0) {
        out.push_back(a + "=" + args[i + 1]);
        ++i;
        continue;
      }
    }
    out.push_back(a);
  }
  return out;
}

std::optional<int> ParseWithPositionals(const Args& args, const po::options_description& opts,
                                        std::vector<std::string>* positional,
                                        const char* command) {
  po::options_description hidden;
  hidden.add_options()("positional", po::value(positional));
  po::options_description all;
  all.add(opts).add(hidden);
  po::positional_options_description pos;
  pos.add("positional", -1);
  try {
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    po::notify(vm);
    if (vm.count("help")) {
      std::cout << opts << "\n";
      return 0;
    }
  } catch (const po::error& e) {
    fmt::print(stderr, "repsim {}: {}\n(see 'repsim {} --help')\n", command, e.what(), command);
    return 2;
  }
  return std::nullopt;
}

size_t TerminalColumns() {
  if (isatty(STDOUT_FILENO) != 1) return 0;
  winsize ws{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0) return 0;
  return ws.ws_col;
}

}  // namespace repsim::cli
