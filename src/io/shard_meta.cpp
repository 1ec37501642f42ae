#include "io/shard_meta.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <bit>

#include "io/results_csv.h"
#include "io/sweep_rows.h"
#include "io/table.h"
#include "io/toml_guard.h"

namespace repsim::io {
namespace {

uint64_t Fnv1a(uint64_t h, std::string_view bytes) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace

std::string ShardMetaToml(const ShardMeta& m) {
  std::string out =
      "# repsim: this folder holds one shard of a sweep. Join all the shards of the grid with\n"
      "#   repsim merge SHARD_DIR... --out DIR\n";
  auto line = [&](std::string kv, std::string_view comment) {
    out += comment.empty() ? kv + "\n" : fmt::format("{:<34}# {}\n", kv, comment);
  };
  line("format = 1", "");
  line("repsim_version = " + JsonString(m.version), "must match across shards");
  line("scenario = " + JsonString(m.scenario), "");
  line(fmt::format("shard = {}", m.shard), "1-based, of `shards`");
  line(fmt::format("shards = {}", m.shards), "");
  line(fmt::format("grid_points = {}", m.grid_points), "of the whole grid");
  line(fmt::format("begin = {}", m.begin), "first grid index in this shard's sweep.csv");
  line(fmt::format("end = {}", m.end), "one past the last");
  line(fmt::format("fingerprint = \"{}\"", m.fingerprint), "base scenario, axes and columns");
  line(fmt::format("plots = {}", m.plots), "the scenario's output.plots");
  line("heatmap = " + JsonString(m.heatmap), "the scenario's output.heatmap");
  for (const SweepAxis& a : m.axes) {
    out += fmt::format("\n[[axis]]\nkey = {}\nvalues = [", JsonString(a.key));
    for (size_t i = 0; i < a.values.size(); ++i) {
      // fmt's shortest form reads back exactly; TOML wants a '.' or an exponent in a float.
      std::string v = Num(a.values[i]);
      if (v.find_first_of(".eEn") == std::string::npos) v += ".0";
      out += (i ? ", " : "") + v;
    }
    out += "]\n";
  }
  return out;
}

Expected<ShardMeta> ParseShardMeta(const std::string& text, const std::string& path) {
  if (std::optional<Diagnostic> d = CheckTomlText(text, path)) {
    return Error{fmt::format("{}: not a valid shard file: {}", path, d->message)};
  }
  toml::table t;
  try {
    t = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return Error{fmt::format("{}: not a valid shard file: {}", path, e.description())};
  }
  auto missing = [&](const char* key) {
    return Error{
        fmt::format("{}: `{}` is missing or of the wrong type (was the file edited?)", path, key),
        key};
  };
  ShardMeta m;
  if (t["format"].value<int64_t>() != 1) return missing("format");
  auto str = [&](const char* k, std::string* out) {
    auto v = t[k].value<std::string>();
    if (v) *out = *v;
    return v.has_value();
  };
  auto uint = [&](const char* k, uint64_t* out) {
    auto v = t[k].value<int64_t>();
    if (!v || *v < 0) return false;
    *out = static_cast<uint64_t>(*v);
    return true;
  };
  uint64_t shard = 0, shards = 0;
  if (!str("repsim_version", &m.version)) return missing("repsim_version");
  if (!str("scenario", &m.scenario)) return missing("scenario");
  if (!str("fingerprint", &m.fingerprint)) return missing("fingerprint");
  if (!uint("shard", &shard)) return missing("shard");
  if (!uint("shards", &shards)) return missing("shards");
  if (!uint("grid_points", &m.grid_points)) return missing("grid_points");
  if (!uint("begin", &m.begin)) return missing("begin");
  if (!uint("end", &m.end)) return missing("end");
  auto plots = t["plots"].value<bool>();
  if (!plots) return missing("plots");
  m.plots = *plots;
  if (t.contains("heatmap") && !str("heatmap", &m.heatmap)) return missing("heatmap");
  if (shards < 1 || shards > 1000000 || shard < 1 || shard > shards) {
    return Error{fmt::format("{}: shard = {}, shards = {}: must be 1 <= shard <= shards", path,
                             shard, shards),
                 "shard"};
  }
  m.shard = static_cast<int>(shard);
  m.shards = static_cast<int>(shards);
  const toml::array* axes = t["axis"].as_array();
  if (!axes || axes->empty()) return missing("axis");
  for (const toml::node& n : *axes) {
    const toml::table* at = n.as_table();
    if (!at) return missing("axis");
    SweepAxis a;
    auto key = (*at)["key"].value<std::string>();
    const toml::array* vals = (*at)["values"].as_array();
    if (!key || !vals || vals->empty()) return missing("axis");
    a.key = *key;
    for (const toml::node& v : *vals) {
      auto x = v.value<double>();
      if (!x) return missing("axis.values");
      a.values.push_back(*x);
    }
    m.axes.push_back(std::move(a));
  }
  const IndexRange expect = ShardRange(m.grid_points, m.shard - 1, m.shards);
  if (SweepGridSize(m.axes) != m.grid_points || expect.begin != m.begin || expect.end != m.end) {
    return Error{
        fmt::format("{}: the grid size or the rows [begin, end) do not match the axes "
                    "(was the file edited?)",
                    path)};
  }
  return m;
}

std::string SweepFingerprint(const Scenario& scenario) {
  uint64_t h = 0xcbf29ce484222325ULL;
  h = Fnv1a(h, "repsim-sweep/1\n");
  Expected<Run> run = Resolve(scenario.base);
  h = Fnv1a(h, run ? SummaryCsv(*run, Evaluate(*run)) : run.error());
  for (const SweepAxis& a : scenario.sweep) {
    h = Fnv1a(h, a.key);
    h = Fnv1a(h, fmt::format("/{}:", a.values.size()));
    for (double v : a.values) {
      const auto b = std::bit_cast<uint64_t>(v);
      h = Fnv1a(h, std::string_view(reinterpret_cast<const char*>(&b), sizeof b));
    }
  }
  h = Fnv1a(h, SweepCsvHeader(scenario.sweep));
  return fmt::format("{:016x}", h);
}

}  // namespace repsim::io
