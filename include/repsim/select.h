// repsim: choosing a small, diverse subset of fine-tuning (SFT) examples from
// their embeddings, the way Chen et al. 2023 ("Maybe Only 0.5% Data is Needed",
// arXiv:2305.09246) chose theirs: L2-normalised sentence embeddings, K-means
// into clusters, then inside each cluster a quota proportional to its size
// filled by k-center greedy (farthest-point) selection.
//
// Pure: no files, no printing. The embeddings come in as a row-major float32
// matrix the caller owns (the CLI memory-maps it); nothing here copies it
// whole. K-means and the nearest-neighbour searches are FAISS's
// (faiss::Clustering, IndexFlatL2, fvec_L2sqr), run on OpenMP threads; every
// result is the same for a seed whatever the number of threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "repsim/status.h"

namespace repsim {

// How each cluster's quota is filled.
enum class SelectMethod {
  kKCenter,   // k-center greedy: start at the member nearest the centroid, then
              // repeatedly the member farthest from all picked so far
  kCentroid,  // the members nearest the centroid
  kRandom,    // a seeded uniform draw without replacement
};
std::string_view ToString(SelectMethod m);  // "kcenter", "centroid", "random"
std::optional<SelectMethod> SelectMethodFromString(std::string_view s);
std::vector<std::string_view> SelectMethodNames();

// A row-major matrix of `rows` embeddings of `dim` floats each, not owned.
struct EmbeddingMatrix {
  const float* data = nullptr;
  size_t rows = 0;
  size_t dim = 0;
  const float* row(size_t i) const { return data + i * dim; }
};

// Default number of K-means clusters for `rows` examples: round(sqrt(rows / 2)),
// the rule of thumb of Mardia, Kent & Bibby (1979, Multivariate Analysis §13),
// at least 1 and at most `count` (every cluster gets at least one example).
size_t DefaultClusterCount(size_t rows, size_t count);

// Divides each row by its Euclidean norm, in place (rows whose squared norm is
// already within 1e-6 of 1 are left as they are). Returns the index of the
// first row whose norm is zero (it cannot be normalised; it is left as it is
// and the rows after it are not touched), or nullopt when all were normalised.
std::optional<size_t> NormalizeRows(float* data, size_t rows, size_t dim);

// Per-cluster quotas summing exactly to `count`, in proportion to `sizes`:
// largest-remainder (Hamilton) apportionment of the ideal shares
// count * size / total, with every cluster given at least one and at most its
// size. Start from max(1, floor(share)); while the sum is short, add one to the
// clusters with the largest remainder share - quota (ties: lower index) that
// still have room; while it is over (the floor of one pushed it up), take one
// from the clusters with the smallest remainder (ties: higher index) that have
// more than one. Preconditions: every size >= 1, sizes.size() <= count <= total.
std::vector<size_t> ClusterQuotas(const std::vector<size_t>& sizes, size_t count);

// k-center greedy (Gonzalez 1985) over the rows `members` of `m`: picks
// members[first], then, `k - 1` times, the member whose distance to the nearest
// picked one is largest (ties: the earliest in `members`). Returns positions in
// `members`, in the order picked. Its covering radius is within 2x of the best
// possible for k centres. Distances: Euclidean, float32 (faiss::fvec_L2sqr).
// Precondition: first < members.size(), 1 <= k <= members.size().
std::vector<size_t> KCenterGreedy(const EmbeddingMatrix& m, std::span<const uint32_t> members,
                                  size_t first, size_t k);

// How well `selected` covers all rows of `m`.
struct Coverage {
  double radius = 0;        // largest distance from any row to its nearest selected row
  double mean = 0;          // mean of that distance over all rows
  size_t farthest_row = 0;  // a row at the radius
};
// Exact nearest selected row for every row (FAISS IndexFlatL2; the distance of
// the row found is then recomputed directly, so no cancellation error).
// `nearest`, when given, receives each row's distance. `selected` non-empty.
Coverage MeasureCoverage(const EmbeddingMatrix& m, std::span<const uint32_t> selected,
                         std::vector<float>* nearest = nullptr);

struct SelectOptions {
  size_t count = 0;     // examples to select, 1..rows
  size_t clusters = 0;  // K-means clusters, 1..count; 0: DefaultClusterCount
  SelectMethod method = SelectMethod::kKCenter;
  uint64_t seed = 0;
  // Lloyd iterations, and FAISS's cap on the points K-means trains on
  // (a seeded sample of max_points_per_cluster * clusters rows when there are
  // more; every row is then assigned to its nearest centroid). The defaults
  // are FAISS's own sample cap and 20 iterations; README "repsim select" gives
  // the covering radius they reach against scikit-learn's K-means on all rows.
  int kmeans_iterations = 20;
  int max_points_per_cluster = 256;
  int threads = 0;  // OpenMP threads; 0: OpenMP's default (all cores)
};
// Nullopt when `o` is valid for `rows` examples; otherwise the problem, naming
// the option ("count", "clusters", ...) in Error::key.
std::optional<Error> Validate(const SelectOptions& o, size_t rows);

struct ClusterQuota {
  size_t size = 0;   // examples in the cluster
  size_t quota = 0;  // examples selected from it
};

struct Selection {
  size_t clusters = 0;                // non-empty clusters (K-means may leave one empty)
  std::vector<ClusterQuota> cluster;  // per non-empty cluster, numbered 0..clusters-1
  double kmeans_objective = 0;        // sum of squared distances to centroids, training sample
  size_t kmeans_training_rows = 0;    // rows K-means trained on

  std::vector<uint32_t> selected;          // row indices, ascending
  std::vector<uint32_t> selected_cluster;  // cluster of each selected row
  // Distance of each selected row to the nearest other selected row
  // (NaN when only one row is selected).
  std::vector<float> nearest_other;
  // Every row's exact nearest selected row, searched cluster by cluster
  // (triangle-inequality bounds on the centroids); MeasureCoverage's numbers.
  Coverage coverage;

  // The same numbers for a uniform random draw of as many rows (its own seeded
  // stream), the baseline the selection must beat.
  std::vector<uint32_t> random_selected;  // ascending
  Coverage random_coverage;

  // Wall-clock seconds of each phase (not part of any result file).
  double kmeans_seconds = 0, select_seconds = 0, evaluate_seconds = 0;
};

// Progress: phase name ("k-means", "assign", "select", "coverage", ...),
// work done and total in that phase's own units. Called from one thread.
using SelectProgress = std::function<void(std::string_view phase, uint64_t done, uint64_t total)>;

// The whole pipeline on (already normalised, if wanted) embeddings.
// Errors: invalid options (see Validate), a FAISS failure.
Expected<Selection> Select(const EmbeddingMatrix& m, const SelectOptions& o,
                           const SelectProgress& progress = {});

// The SFT side of repetition: what training `epochs` passes over `selected`
// examples of `tokens_per_example` tokens means in tokens.
struct SftExposure {
  double epochs = 0;              // passes over the selected set (as given)
  double tokens_per_example = 0;  // as given
  double unique_tokens = 0;       // selected * tokens_per_example
  double tokens_seen = 0;         // epochs * unique_tokens
  // The same number of tokens as passes over the full set of `total` examples:
  // epochs * selected / total.
  double full_set_epochs = 0;
};
SftExposure SftExposureOf(size_t selected, size_t total, double epochs, double tokens_per_example);

}  // namespace repsim
