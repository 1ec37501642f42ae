#include "select/select_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "io/table.h"

namespace repsim::io {
namespace {

std::string Id(const SelectRun& r, size_t row) {
  if (r.ids != nullptr && !r.ids->empty()) return (*r.ids)[row];
  return std::to_string(row);
}

std::string Pct(double part, double whole) { return fmt::format("{:.3g}", 100.0 * part / whole); }

// Distances are float32 sums: written as the shortest text that reads back to
// the same float, without the digits a double would add.
std::string F32(double v) { return fmt::format("{}", static_cast<float>(v)); }

// How much smaller `a` is than `b`, in percent of `b` ("38.2 % smaller").
std::string Smaller(double a, double b) {
  if (b <= 0) return "n/a";
  const double p = 100.0 * (b - a) / b;
  return p >= 0 ? fmt::format("{:.1f} % smaller", p) : fmt::format("{:.1f} % larger", -p);
}

std::string ClustersRule(const SelectRun& r) {
  return r.clusters_defaulted ? "round(sqrt(rows / 2)), at most count" : "given (--clusters)";
}

constexpr Field<Coverage> kCoverage[] = {
    {"covering_radius", FieldKind::kFloat32, [](const Coverage& c) { return c.radius; }},
    {"mean_distance", FieldKind::kFloat32, [](const Coverage& c) { return c.mean; }},
    {"farthest_row", FieldKind::kInteger,
     [](const Coverage& c) { return static_cast<double>(c.farthest_row); }},
};

constexpr Field<SftExposure> kSftExposure[] = {
    {"epochs", FieldKind::kNumber, [](const SftExposure& e) { return e.epochs; }},
    {"tokens_per_example", FieldKind::kNumber,
     [](const SftExposure& e) { return e.tokens_per_example; }},
    {"unique_tokens", FieldKind::kNumber, [](const SftExposure& e) { return e.unique_tokens; }},
    {"tokens_seen", FieldKind::kNumber, [](const SftExposure& e) { return e.tokens_seen; }},
    {"full_set_epochs", FieldKind::kNumber, [](const SftExposure& e) { return e.full_set_epochs; }},
};

}  // namespace

FieldTable<Coverage> CoverageFields() { return kCoverage; }
FieldTable<SftExposure> SftExposureFields() { return kSftExposure; }

std::string SelectedCsv(const SelectRun& r) {
  const Selection& s = r.selection;
  std::string out = "row,id,cluster,distance_to_nearest_selected\n";
  for (size_t i = 0; i < s.selected.size(); ++i) {
    const float d = s.nearest_other[i];
    out += fmt::format("{},{},{},{}\n", s.selected[i], CsvCell(Id(r, s.selected[i])),
                       s.selected_cluster[i], std::isnan(d) ? std::string() : F32(d));
  }
  return out;
}

std::string SelectSummaryJson(const SelectRun& r) {
  const Selection& s = r.selection;
  const SelectOptions& o = r.options;
  std::string out = "{\n";
  out += fmt::format("  \"input\": {},\n  \"input_format\": {},\n", JsonString(r.input),
                     JsonString(r.input_format));
  out += fmt::format("  \"rows\": {},\n  \"dim\": {},\n  \"normalized\": {},\n", r.rows, r.dim,
                     r.normalized ? "true" : "false");
  out +=
      fmt::format("  \"method\": {},\n  \"seed\": {},\n", JsonString(ToString(o.method)), o.seed);
  out += fmt::format("  \"count\": {},\n  \"fraction\": {},\n", o.count,
                     r.fraction ? Num(*r.fraction) : "null");
  out +=
      fmt::format("  \"clusters\": {},\n  \"clusters_requested\": {},\n  \"clusters_rule\": {},\n",
                  s.clusters, o.clusters, JsonString(ClustersRule(r)));
  out += fmt::format(
      "  \"kmeans\": {{\"library\": \"faiss\", \"iterations\": {}, \"max_points_per_cluster\": {}, "
      "\"training_rows\": {}, \"objective\": {}}},\n",
      o.kmeans_iterations, o.max_points_per_cluster, s.kmeans_training_rows,
      F32(s.kmeans_objective));
  out += "  " + JsonMembers(CoverageFields(), s.coverage, ",\n  ") + ",\n";
  out += "  \"random\": " + JsonObject(CoverageFields(), s.random_coverage) + ",\n";
  out += fmt::format("  \"radius_vs_random\": {},\n  \"mean_distance_vs_random\": {},\n",
                     Short(s.coverage.radius / s.random_coverage.radius),
                     Short(s.coverage.mean / s.random_coverage.mean));
  if (r.sft) {
    out += "  \"sft\": " + JsonObject(SftExposureFields(), *r.sft) + ",\n";
  } else {
    out += "  \"sft\": null,\n";
  }
  out += "  \"cluster_quotas\": [";
  for (size_t c = 0; c < s.cluster.size(); ++c) {
    out += fmt::format("{}\n    {{\"cluster\": {}, \"size\": {}, \"quota\": {}}}", c ? "," : "", c,
                       s.cluster[c].size, s.cluster[c].quota);
  }
  out += "\n  ]\n}\n";
  return out;
}

std::string SelectReportMarkdown(const SelectRun& r) {
  const Selection& s = r.selection;
  const SelectOptions& o = r.options;
  std::string out = "# repsim select\n\n";
  out += fmt::format(
      "Selected **{}** of {} examples ({} %) from `{}` ({}, {} dimensions{}), method `{}`, "
      "seed {}, in {} K-means clusters ({}).\n\n",
      o.count, r.rows, Pct(static_cast<double>(o.count), static_cast<double>(r.rows)), r.input,
      r.input_format, r.dim, r.normalized ? ", L2-normalised" : ", not normalised",
      ToString(o.method), o.seed, s.clusters, ClustersRule(r));

  out += "## Coverage against a random selection of the same size\n\n";
  out += "| | this selection | random selection | difference |\n|---|---:|---:|---|\n";
  out += fmt::format("| covering radius | {} | {} | {} |\n", Short(s.coverage.radius),
                     Short(s.random_coverage.radius),
                     Smaller(s.coverage.radius, s.random_coverage.radius));
  out += fmt::format("| mean distance to the nearest selected | {} | {} | {} |\n\n",
                     Short(s.coverage.mean), Short(s.random_coverage.mean),
                     Smaller(s.coverage.mean, s.random_coverage.mean));
  out += fmt::format(
      "The covering radius is the largest distance from any example to its nearest selected "
      "example (row {} here; row {} for the random draw): every example has a selected one "
      "within it. The mean distance says how close a typical example is to the selection. "
      "Smaller is better for both. Distances are Euclidean{}.\n\n",
      s.coverage.farthest_row, s.random_coverage.farthest_row,
      r.normalized ? " between unit vectors (0 to 2; cosine similarity = 1 - d^2/2)"
                   : " in the input's own units");

  if (r.sft) {
    const SftExposure& e = *r.sft;
    out += "## Tokens and epochs (the SFT side of repetition)\n\n";
    out += "| quantity | value |\n|---|---:|\n";
    out += fmt::format("| epochs over the selected set | {} |\n", Short(e.epochs));
    out += fmt::format("| tokens per example | {} |\n", Short(e.tokens_per_example));
    out += fmt::format("| unique tokens (selected set) | {} |\n", Short(e.unique_tokens));
    out += fmt::format("| tokens seen | {} |\n", Short(e.tokens_seen));
    out += fmt::format("| same tokens as epochs over all {} examples | {} |\n\n", r.rows,
                       Short(e.full_set_epochs));
    out +=
        "Each selected example is seen once per epoch. No published law yet predicts SFT "
        "loss or quality from these numbers; they say how much repetition the choice "
        "implies, not what it costs.\n\n";
  }

  out += "## K-means\n\n";
  out += fmt::format(
      "FAISS K-means, {} iterations, trained on {} rows (a seeded sample of at most {} per "
      "cluster), objective (sum of squared distances to the centroids over those rows) {}. "
      "Each cluster's quota is proportional to its size (largest remainders, at least one "
      "each), filled by {}.\n\n",
      o.kmeans_iterations, s.kmeans_training_rows, o.max_points_per_cluster,
      Short(s.kmeans_objective),
      o.method == SelectMethod::kKCenter
          ? "k-center greedy (start at the member nearest the centroid, then always the member "
            "farthest from those picked)"
      : o.method == SelectMethod::kCentroid ? "the members nearest the centroid"
                                            : "a seeded random draw");
  std::vector<size_t> sizes;
  for (const ClusterQuota& c : s.cluster) sizes.push_back(c.size);
  std::sort(sizes.begin(), sizes.end());
  out += fmt::format("Cluster sizes: smallest {}, median {}, largest {}.\n\n", sizes.front(),
                     sizes[sizes.size() / 2], sizes.back());
  out += "| cluster | size | quota |\n|---:|---:|---:|\n";
  for (size_t c = 0; c < s.cluster.size(); ++c) {
    out += fmt::format("| {} | {} | {} |\n", c, s.cluster[c].size, s.cluster[c].quota);
  }
  out +=
      "\nFiles: `selected.csv` (row counting from 0, id, cluster, distance to the nearest "
      "other selected example), `summary.json` (these numbers). Generated by repsim.\n";
  return out;
}

std::string SelectTerminalSummary(const SelectRun& r) {
  const Selection& s = r.selection;
  const SelectOptions& o = r.options;
  std::string out =
      fmt::format("selected {} of {} examples ({} %), method {}, {} clusters, seed {}\n", o.count,
                  r.rows, Pct(static_cast<double>(o.count), static_cast<double>(r.rows)),
                  ToString(o.method), s.clusters, o.seed);
  Table t;
  t.AddColumn("", false);
  t.AddColumn("selected", true);
  t.AddColumn("random", true);
  t.AddColumn("difference", false);
  t.AddRow({"covering radius", Short(s.coverage.radius), Short(s.random_coverage.radius),
            Smaller(s.coverage.radius, s.random_coverage.radius)});
  t.AddRow({"mean distance", Short(s.coverage.mean), Short(s.random_coverage.mean),
            Smaller(s.coverage.mean, s.random_coverage.mean)});
  out += RenderText(t);
  if (r.sft) {
    out += fmt::format(
        "SFT: {} epochs x {} examples x {} tokens = {} tokens seen ({} unique); the same tokens "
        "are {} epochs over all {} examples\n",
        Short(r.sft->epochs), o.count, Short(r.sft->tokens_per_example), Short(r.sft->tokens_seen),
        Short(r.sft->unique_tokens), Short(r.sft->full_set_epochs), r.rows);
  }
  return out;
}

}  // namespace repsim::io
