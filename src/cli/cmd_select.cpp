// `repsim select`: a small, diverse subset of SFT examples from their
// embeddings (include/repsim/select.h does the work; select/embeddings.h reads,
// select/select_writer.h writes).
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "cli/flags.h"
#include "io/progress.h"
#include "io/staging.h"
#include "io/suggest.h"
#include "repsim/scenario.h"
#include "repsim/select.h"
#include "select/embeddings.h"
#include "select/select_writer.h"

namespace fs = std::filesystem;

namespace repsim::cli {
namespace {

constexpr const char* kSelectUsage =
    "Usage: repsim select EMBEDDINGS (--fraction F | --count K) [--clusters C]\n"
    "                     [--method kcenter|centroid|random] [--seed S] [--out DIR]\n"
    "                     [--no-normalize] [--epochs E --tokens-per-example T]\n\n"
    "Picks a small, diverse subset of fine-tuning examples from their embeddings, as Chen et\n"
    "al. 2023 (\"Maybe Only 0.5% Data is Needed\") did: L2-normalise each embedding, K-means\n"
    "them into C clusters (FAISS), give each cluster a quota proportional to its size (at\n"
    "least one; largest remainders make the quotas sum to exactly K), and fill it by k-center\n"
    "greedy (start at the member nearest the centroid, then always the member farthest from\n"
    "those picked), by the members nearest the centroid, or by a seeded random draw.\n\n"
    "EMBEDDINGS: a .npy file (np.save of a 2-D float32 or float64 array, C order; it is\n"
    "memory-mapped, not copied) or a CSV file (one row per example, numbers separated by\n"
    "commas, an optional header line, an optional first column of ids named 'id').\n\n"
    "Writes DIR/ (replaced whole, only once everything is computed):\n"
    "  selected.csv   row (counting from 0), id, cluster, distance to the nearest other\n"
    "                 selected example\n"
    "  summary.json   covering radius (largest distance from any example to its nearest\n"
    "                 selected one), mean such distance, the same for a random selection of\n"
    "                 the same size, cluster sizes and quotas, tokens and epochs\n"
    "  report.md      the same for people\n\n"
    "With --epochs E (passes over the selected set) and --tokens-per-example T it also\n"
    "reports the tokens seen (E x K x T) and what that is in epochs over the whole set.\n"
    "No published law predicts SFT loss from these numbers; repsim reports them only.\n\n"
    "The result is the same for a seed whatever --threads is. On any error nothing is\n"
    "written.";

struct Parsed {
  std::vector<std::string> files;
  std::string fraction, count, clusters, method = "kcenter", seed = "0", out = "selection";
  std::string epochs, tokens_per_example, kmeans_iterations = "20", threads = "0";
  bool no_normalize = false, quiet = false;
};

int Usage(const std::string& message) {
  Fail("select", message);
  fmt::print(stderr, "Run 'repsim select --help' for usage.\n");
  return kExitBadInput;
}

// An integer flag value in [lo, hi] (flags.h's reader and messages); nullopt
// after printing the error.
std::optional<uint64_t> ParseInt(const std::string& flag, const std::string& text, uint64_t lo,
                                 uint64_t hi) {
  const Expected<uint64_t> v = UnsignedInRange("--" + flag, text, lo, hi);
  if (!v) {
    Usage(v.error());
    return std::nullopt;
  }
  return *v;
}

// A finite number > 0, read by the core's parser (scenario.h): plain, or for
// a count of tokens with a suffix K, M, B, T.
std::optional<double> ParsePositive(const std::string& flag, const std::string& text,
                                    std::string_view what, bool quantity = false) {
  const std::optional<double> parsed = quantity ? ParseQuantity(text) : ParseNumber(text);
  const double v = parsed.value_or(NAN);
  if (!parsed || !std::isfinite(v) || !(v > 0)) {
    Usage(fmt::format("--{} = '{}': {}", flag, text, what));
    return std::nullopt;
  }
  return v;
}

// The folder DIR names for Staging: parent and name; an error for "." and "..".
struct OutFolder {
  fs::path parent;
  std::string name;
};
Expected<OutFolder> SplitOut(const std::string& out) {
  fs::path p = fs::path(out).lexically_normal();
  if (!p.has_filename() && p.has_parent_path()) p = p.parent_path();
  const std::string n = p.filename().string();
  if (n.empty() || n == "." || n == "..") {
    return Error{fmt::format("--out = '{}': give a folder of its own (it is replaced whole)", out)};
  }
  std::error_code ec;
  if (fs::is_directory(p, ec) && !fs::is_empty(p, ec) && !fs::exists(p / "selected.csv", ec)) {
    return Error{
        fmt::format("--out = '{}': the folder exists and is not an earlier `repsim select` "
                    "output (no selected.csv in it); it would be replaced whole, so give a "
                    "new folder",
                    out)};
  }
  return OutFolder{p.has_parent_path() ? p.parent_path() : fs::path("."), n};
}

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

int SelectCommand(const Args& args) {
  const auto start = Clock::now();
  Parsed p;
  FlagSet flags("select", kSelectUsage);
  flags.Positionals("EMBEDDINGS", &p.files)
      .Value("fraction", '\0', "F", &p.fraction,
             "select round(F x rows) examples (at least 1), 0 < F <= 1")
      .Value("count", '\0', "K", &p.count, "select K examples (instead of --fraction)")
      .Value("clusters", '\0', "C", &p.clusters,
             "K-means clusters, 1..K (default: round(sqrt(rows / 2)), at most K)")
      .Value("method", '\0', "METHOD", &p.method, "kcenter (default), centroid or random")
      .Value("seed", '\0', "S", &p.seed, "seed of K-means and every random draw (default 0)")
      .Value("out", 'o', "DIR", &p.out, "output folder (default: selection)")
      .Switch("no-normalize", '\0', &p.no_normalize,
              "use the embeddings as they are (default: L2-normalise each row)")
      .Value("epochs", '\0', "E", &p.epochs, "planned passes over the selected set")
      .Value("tokens-per-example", '\0', "T", &p.tokens_per_example,
             "mean tokens per example (with --epochs; a suffix K, M allowed)")
      .Value("kmeans-iterations", '\0', "N", &p.kmeans_iterations, "Lloyd iterations (default 20)")
      .Value("threads", 'j', "N", &p.threads, "threads (default 0: all cores)")
      .Switch("quiet", 'q', &p.quiet, "print nothing but errors");
  if (auto code = flags.Parse(args)) return *code;
  if (p.files.empty()) return Usage("no embeddings file given");
  if (p.files.size() > 1)
    return Usage(fmt::format("one embeddings file expected, got {}", p.files.size()));
  if (p.fraction.empty() == p.count.empty()) {
    return Usage("give exactly one of --fraction F and --count K");
  }

  SelectOptions o;
  std::optional<double> fraction;
  if (!p.fraction.empty()) {
    const double f = ParseNumber(p.fraction).value_or(NAN);
    if (!(f > 0 && f <= 1)) {
      return Usage(fmt::format("--fraction = '{}': must be a number with 0 < F <= 1", p.fraction));
    }
    fraction = f;
  } else {
    const auto k = ParseInt("count", p.count, 1, UINT32_MAX);
    if (!k) return kExitBadInput;
    o.count = *k;
  }
  if (!p.clusters.empty()) {
    const auto c = ParseInt("clusters", p.clusters, 1, INT32_MAX);
    if (!c) return kExitBadInput;
    o.clusters = *c;
  }
  const auto method = SelectMethodFromString(p.method);
  if (!method) {
    return Usage(fmt::format("--method = '{}': unknown method{}; one of kcenter, centroid, random",
                             p.method, io::DidYouMean(p.method, SelectMethodNames())));
  }
  o.method = *method;
  const auto seed = ParseInt("seed", p.seed, 0, UINT64_MAX);
  if (!seed) return kExitBadInput;
  o.seed = *seed;
  const auto iters = ParseInt("kmeans-iterations", p.kmeans_iterations, 1, 10000);
  if (!iters) return kExitBadInput;
  o.kmeans_iterations = static_cast<int>(*iters);
  const auto threads = ParseInt("threads", p.threads, 0, 1024);
  if (!threads) return kExitBadInput;
  o.threads = static_cast<int>(*threads);
  std::optional<double> epochs, tokens;
  if (p.epochs.empty() != p.tokens_per_example.empty()) {
    return Usage("--epochs and --tokens-per-example go together: give both or neither");
  }
  if (!p.epochs.empty()) {
    if (!(epochs = ParsePositive("epochs", p.epochs, "must be a number > 0"))) return kExitBadInput;
    if (!(tokens = ParsePositive("tokens-per-example", p.tokens_per_example, "must be a number > 0",
                                 /*quantity=*/true))) {
      return kExitBadInput;
    }
  }
  const Expected<OutFolder> out = SplitOut(p.out);
  if (!out) return Usage(out.error());

  // Read, normalise, check the options against the data.
  const std::string& file = p.files[0];
  auto t = Clock::now();
  Expected<io::Embeddings> read = io::ReadEmbeddings(file);
  if (!read) {
    const std::string& m = read.error();
    fmt::print(stderr, "{}{}", m.find(": error: ") != std::string::npos ? "" : "error: ", m);
    if (m.empty() || m.back() != '\n') fmt::print(stderr, "\n");
    return kExitBadInput;
  }
  io::Embeddings& emb = read.value();
  if (fraction) {
    o.count = std::max<size_t>(1, static_cast<size_t>(std::llround(*fraction * emb.rows())));
  }
  if (!p.no_normalize) {
    if (auto zero = NormalizeRows(emb.data(), emb.rows(), emb.dim())) {
      fmt::print(stderr,
                 "{}: error: row {} (counting from 0) is all zeros: it has no direction to "
                 "normalise (drop it, or pass --no-normalize)\n",
                 file, *zero);
      return kExitBadInput;
    }
  }
  const double read_s = Since(t);
  const bool defaulted = o.clusters == 0;
  if (defaulted)
    o.clusters = DefaultClusterCount(emb.rows(), std::min<size_t>(o.count, emb.rows()));
  if (auto e = Validate(o, emb.rows())) {
    const std::string flag = e->key == "count"      ? (fraction ? "--fraction" : "--count")
                             : e->key == "clusters" ? "--clusters"
                                                    : e->key;
    fmt::print(stderr, "{}: error: {}: {}\n", file, flag, e->message);
    return kExitBadInput;
  }

  // Progress bars on stderr (drawn only on a terminal, after a second).
  std::unique_ptr<io::Progress> bar;
  std::string phase;
  uint64_t shown = 0;
  const SelectProgress progress = [&](std::string_view ph, uint64_t done, uint64_t total) {
    if (p.quiet) return;
    if (ph != phase) {
      bar.reset();
      phase = ph;
      shown = 0;
      bar = std::make_unique<io::Progress>(std::string(ph), total);
    }
    if (done > shown) {
      bar->Tick(done - shown);
      shown = done;
    }
  };
  Expected<Selection> sel = Select(emb.matrix(), o, progress);
  bar.reset();
  if (!sel) {
    fmt::print(stderr, "{}: error: {}\n", file, sel.error());
    return kExitInternal;
  }

  io::SelectRun run;
  run.input = file;
  run.input_format = emb.format();
  run.rows = emb.rows();
  run.dim = emb.dim();
  run.normalized = !p.no_normalize;
  run.options = o;
  run.clusters_defaulted = defaulted;
  run.fraction = fraction;
  run.ids = &emb.ids();
  run.selection = std::move(sel.value());
  if (epochs) run.sft = SftExposureOf(o.count, emb.rows(), *epochs, *tokens);

  t = Clock::now();
  Expected<io::Staging> staging = io::Staging::Create(out->parent, out->name);
  if (!staging) return Fail("select", staging.error());
  for (const auto& [name, text] :
       {std::pair<const char*, std::string>{"selected.csv", io::SelectedCsv(run)},
        {"summary.json", io::SelectSummaryJson(run)},
        {"report.md", io::SelectReportMarkdown(run)}}) {
    if (auto e = staging->Write(name, text)) return Fail("select", *e);  // cannot write: 2
  }
  if (auto e = staging->Commit()) return Fail("select", *e);
  const double write_s = Since(t);
  if (!p.quiet) {
    fmt::print("{}", io::SelectTerminalSummary(run));
    fmt::print("written to {}/ (selected.csv, summary.json, report.md)\n",
               staging->final_dir().string());
    const Selection& s = run.selection;
    fmt::print(
        "time: read_s={:.3f} kmeans_s={:.3f} select_s={:.3f} evaluate_s={:.3f} "
        "write_s={:.3f} total_s={:.3f}\n",
        read_s, s.kmeans_seconds, s.select_seconds, s.evaluate_seconds, write_s, Since(start));
  }
  return kExitOk;
}

}  // namespace repsim::cli
