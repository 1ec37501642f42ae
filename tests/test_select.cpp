// `repsim select`'s numerics (include/repsim/select.h). Reference values come
// from independent simple implementations written here (double precision,
// no FAISS), from brute force over all subsets, or are derived by hand.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "repsim/select.h"

using namespace repsim;

namespace {

// Points in [0, 1)^dim from mt19937_64 (whose output the standard fixes).
std::vector<float> Uniform(size_t n, size_t dim, uint64_t seed) {
  std::mt19937_64 g(seed);
  std::vector<float> x(n * dim);
  for (float& v : x) v = static_cast<float>(static_cast<double>(g() >> 11) * 0x1.0p-53);
  return x;
}

// N(0, 1) by Box-Muller (so the data are the same with every standard library).
double Gauss(std::mt19937_64& g) {
  const double u1 = (static_cast<double>(g() >> 11) + 1.0) * 0x1.0p-53;
  const double u2 = static_cast<double>(g() >> 11) * 0x1.0p-53;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * 3.14159265358979323846 * u2);
}

double Dist(const std::vector<float>& x, size_t dim, size_t a, size_t b) {
  double s = 0;
  for (size_t j = 0; j < dim; ++j) {
    const double d = static_cast<double>(x[a * dim + j]) - x[b * dim + j];
    s += d * d;
  }
  return std::sqrt(s);
}

// Reference farthest-point sequence: a plain double-precision transcription
// of Gonzalez (1985), recomputing every distance from scratch each step.
std::vector<size_t> ReferenceFarthestFirst(const std::vector<float>& x, size_t dim, size_t n,
                                           size_t start, size_t k) {
  std::vector<size_t> picked{start};
  while (picked.size() < k) {
    size_t best = n;
    double best_d = -1;
    for (size_t i = 0; i < n; ++i) {
      if (std::find(picked.begin(), picked.end(), i) != picked.end()) continue;
      double nearest = std::numeric_limits<double>::infinity();
      for (size_t p : picked) nearest = std::min(nearest, Dist(x, dim, i, p));
      if (nearest > best_d) {
        best_d = nearest;
        best = i;
      }
    }
    picked.push_back(best);
  }
  return picked;
}

double ReferenceRadius(const std::vector<float>& x, size_t dim, size_t n,
                       const std::vector<size_t>& centres, double* mean = nullptr) {
  double r = 0, sum = 0;
  for (size_t i = 0; i < n; ++i) {
    double nearest = std::numeric_limits<double>::infinity();
    for (size_t c : centres) nearest = std::min(nearest, Dist(x, dim, i, c));
    r = std::max(r, nearest);
    sum += nearest;
  }
  if (mean != nullptr) *mean = sum / static_cast<double>(n);
  return r;
}

// The best covering radius of any k of the n points, by trying every subset.
double OptimalRadius(const std::vector<float>& x, size_t dim, size_t n, size_t k) {
  std::vector<bool> mask(n, false);
  std::fill(mask.begin(), mask.begin() + static_cast<std::ptrdiff_t>(k), true);
  double best = std::numeric_limits<double>::infinity();
  do {
    std::vector<size_t> c;
    for (size_t i = 0; i < n; ++i) {
      if (mask[i]) c.push_back(i);
    }
    best = std::min(best, ReferenceRadius(x, dim, n, c));
  } while (std::prev_permutation(mask.begin(), mask.end()));
  return best;
}

std::vector<uint32_t> AllRows(size_t n) {
  std::vector<uint32_t> r(n);
  std::iota(r.begin(), r.end(), 0U);
  return r;
}

}  // namespace

TEST_CASE("select: cluster quotas are proportional, at least one each, sum to the count",
          "[select]") {
  // Exact shares: 50/30/20 of 100 with 10 to pick -> 5, 3, 2.
  CHECK(ClusterQuotas({50, 30, 20}, 10) == std::vector<size_t>{5, 3, 2});
  // Shares 3.5, 3.5, 3 of 10 -> floors 3, 3, 3, one left: the tie of remainders
  // (0.5, 0.5) goes to the lower index.
  CHECK(ClusterQuotas({35, 35, 30}, 10) == std::vector<size_t>{4, 3, 3});
  // Shares 9.7, 0.2, 0.1: the floor of one gives 9, 1, 1 = 11; the one too many
  // comes from the only cluster with more than one.
  CHECK(ClusterQuotas({97, 2, 1}, 10) == std::vector<size_t>{8, 1, 1});
  // Shares 2.4, 2.4, 1.2 of 6 -> floors 2, 2, 1; one left to the largest remainder
  // (0.4 for both first clusters; the lower index wins).
  CHECK(ClusterQuotas({40, 40, 20}, 6) == std::vector<size_t>{3, 2, 1});
  // Every example selected: quotas are the sizes.
  CHECK(ClusterQuotas({1, 7, 2}, 10) == std::vector<size_t>{1, 7, 2});
  // Capped at the cluster size: shares 1.0 and 1.0 of 2 -> 1, 1 (with K = n).
  CHECK(ClusterQuotas({1, 1}, 2) == std::vector<size_t>{1, 1});

  // Random cases: the invariants.
  std::mt19937_64 g(7);
  for (int t = 0; t < 500; ++t) {
    const size_t c = 1 + g() % 40;
    std::vector<size_t> sizes(c);
    size_t total = 0;
    for (size_t& s : sizes) total += (s = 1 + g() % (g() % 2 ? 5 : 500));
    const size_t count = c + g() % (total - c + 1);
    const auto q = ClusterQuotas(sizes, count);
    REQUIRE(q.size() == c);
    CHECK(std::accumulate(q.begin(), q.end(), size_t{0}) == count);
    for (size_t i = 0; i < c; ++i) {
      CHECK(q[i] >= 1);
      CHECK(q[i] <= sizes[i]);
      // Never above the share rounded up (seats taken for the floor of one come
      // from the others, never added on top).
      const double share =
          static_cast<double>(count) * static_cast<double>(sizes[i]) / static_cast<double>(total);
      CHECK(q[i] <= std::max<size_t>(1, static_cast<size_t>(std::ceil(share - 1e-9))));
    }
  }
}

TEST_CASE("select: k-center greedy is the farthest-point sequence and within 2x of optimal",
          "[select]") {
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    const size_t n = 12 + seed % 3, dim = 2 + seed % 6, k = 2 + seed % 3;
    const auto x = Uniform(n, dim, seed);
    const EmbeddingMatrix m{x.data(), n, dim};
    const auto rows = AllRows(n);
    const size_t start = seed % n;
    const auto got = KCenterGreedy(m, rows, start, k);
    const auto want = ReferenceFarthestFirst(x, dim, n, start, k);
    CAPTURE(seed, n, dim, k);
    CHECK(got == want);
    const double r = ReferenceRadius(x, dim, n, got);
    const double opt = OptimalRadius(x, dim, n, k);
    CHECK(r >= opt - 1e-12);
    CHECK(r <= 2 * opt + 1e-12);  // Gonzalez 1985: a 2-approximation
  }
}

TEST_CASE("select: k-center greedy breaks ties by the earliest member", "[select]") {
  // Corners of a square (rows 0-3: (0,0), (1,0), (0,1), (1,1)) and its centre
  // (row 4). From the centre all corners are at sqrt(1/2): row 0 comes first;
  // then every other corner is still at sqrt(1/2) from the centre, a tie won
  // by row 1, then row 2, then row 3.
  const std::vector<float> x = {0, 0, 1, 0, 0, 1, 1, 1, 0.5f, 0.5f};
  const EmbeddingMatrix m{x.data(), 5, 2};
  const auto rows = AllRows(5);
  CHECK(KCenterGreedy(m, rows, 4, 5) == std::vector<size_t>{4, 0, 1, 2, 3});
  // From corner 0: the opposite corner (row 3, sqrt 2) first; then rows 1 and 2
  // tie at distance 1 (row 1 wins), then row 2, then the centre (sqrt(1/2)).
  CHECK(KCenterGreedy(m, rows, 0, 5) == std::vector<size_t>{0, 3, 1, 2, 4});
  // Duplicates: once only copies of picked points are left, they are still
  // picked (each once), earliest first.
  const std::vector<float> d = {0, 0, 0, 0, 1, 1, 1, 1};
  const EmbeddingMatrix md{d.data(), 4, 2};
  CHECK(KCenterGreedy(md, AllRows(4), 0, 4) == std::vector<size_t>{0, 2, 1, 3});
}

TEST_CASE("select: coverage matches brute force", "[select]") {
  const size_t n = 3000, dim = 24;
  const auto x = Uniform(n, dim, 42);
  const EmbeddingMatrix m{x.data(), n, dim};
  std::vector<uint32_t> sel;
  std::vector<size_t> sel_ref;
  for (uint32_t i = 0; i < n; i += 37) {
    sel.push_back(i);
    sel_ref.push_back(i);
  }
  std::vector<float> nearest;
  const Coverage c = MeasureCoverage(m, sel, &nearest);
  double mean = 0;
  const double radius = ReferenceRadius(x, dim, n, sel_ref, &mean);
  constexpr double kTol = 1e-5;  // float32 sums of 24 squares, relative
  CHECK(c.radius == Approx(radius).epsilon(kTol));
  CHECK(c.mean == Approx(mean).epsilon(kTol));
  REQUIRE(nearest.size() == n);
  CHECK(nearest[c.farthest_row] == Approx(radius).epsilon(kTol));
  for (uint32_t s : sel) CHECK(nearest[s] == 0.0f);  // exact: recomputed directly
}

TEST_CASE("select: normalisation and the default number of clusters", "[select]") {
  std::vector<float> x = {3, 4, 0, 0, 0, 0, 1, 0, 0};
  CHECK(NormalizeRows(x.data(), 3, 3) == std::optional<size_t>(1));
  CHECK(x[0] == Approx(0.6));
  CHECK(x[1] == Approx(0.8));
  std::vector<float> y = {3, 4, 0, 0, 0, 2};
  CHECK_FALSE(NormalizeRows(y.data(), 2, 3).has_value());
  CHECK(y[5] == 1.0f);
  // round(sqrt(n / 2)), capped by the count.
  CHECK(DefaultClusterCount(200000, 1000) == 316);
  CHECK(DefaultClusterCount(200000, 100) == 100);
  CHECK(DefaultClusterCount(1, 1) == 1);
  CHECK(DefaultClusterCount(1797, 90) == 30);
}

TEST_CASE("select: options are validated", "[select]") {
  SelectOptions o;
  o.count = 10;
  CHECK_FALSE(Validate(o, 100).has_value());
  CHECK(Validate(o, 0)->key == "rows");
  CHECK(Validate(o, 9)->key == "count");
  o.clusters = 11;
  CHECK(Validate(o, 100)->key == "clusters");
  o.clusters = 10;
  o.kmeans_iterations = 0;
  CHECK(Validate(o, 100)->key == "kmeans_iterations");
  CHECK(SelectMethodFromString("kcenter") == SelectMethod::kKCenter);
  CHECK(SelectMethodFromString("centroid") == SelectMethod::kCentroid);
  CHECK(SelectMethodFromString("random") == SelectMethod::kRandom);
  CHECK_FALSE(SelectMethodFromString("kmeans").has_value());
}

namespace {

// `blobs` well-separated Gaussian clusters of the given sizes in `dim`
// dimensions; `label` receives each row's blob.
std::vector<float> Blobs(const std::vector<size_t>& sizes, size_t dim, double spread, uint64_t seed,
                         std::vector<size_t>* label) {
  std::mt19937_64 g(seed);
  std::vector<float> x;
  for (size_t b = 0; b < sizes.size(); ++b) {
    std::vector<double> centre(dim);
    for (double& c : centre) c = 10.0 * Gauss(g);
    for (size_t i = 0; i < sizes[b]; ++i) {
      for (size_t j = 0; j < dim; ++j)
        x.push_back(static_cast<float>(centre[j] + spread * Gauss(g)));
      label->push_back(b);
    }
  }
  return x;
}

}  // namespace

TEST_CASE("select: every well-separated cluster is represented", "[select]") {
  // Ten blobs of very different sizes (the smallest is 0.4 % of the data).
  const std::vector<size_t> sizes = {1200, 800, 500, 300, 200, 120, 80, 40, 20, 13};
  std::vector<size_t> label;
  std::vector<float> x = Blobs(sizes, 16, 0.5, 11, &label);
  const size_t n = label.size();
  REQUIRE(NormalizeRows(x.data(), n, 16) == std::nullopt);
  const EmbeddingMatrix m{x.data(), n, 16};
  for (SelectMethod method : {SelectMethod::kKCenter, SelectMethod::kCentroid}) {
    for (uint64_t seed : {0ULL, 1ULL, 2ULL}) {
      SelectOptions o;
      o.count = 33;  // 1 %; default clusters round(sqrt(3273 / 2)) = 40 -> capped at 33
      o.method = method;
      o.seed = seed;
      const auto s = Select(m, o);
      REQUIRE(s.ok());
      CHECK(s->selected.size() == o.count);
      std::set<size_t> seen;
      for (uint32_t r : s->selected) seen.insert(label[r]);
      CAPTURE(ToString(method), seed);
      CHECK(seen.size() == sizes.size());
      // Sorted, distinct rows; quotas sum to the count.
      CHECK(std::is_sorted(s->selected.begin(), s->selected.end()));
      CHECK(std::adjacent_find(s->selected.begin(), s->selected.end()) == s->selected.end());
      size_t q = 0;
      for (const ClusterQuota& c : s->cluster) q += c.quota;
      CHECK(q == o.count);
    }
  }
}

TEST_CASE("select: both covering radii equal a brute-force search", "[select]") {
  // Select searches each row's nearest selected row cluster by cluster,
  // skipping clusters by the triangle inequality; the reference tries every
  // selected row (in double precision, and FAISS's flat search). Data: blobs
  // (the pruning skips most clusters), blobs not normalised (other scales),
  // uniform points (little to prune) and exact duplicate rows (ties).
  std::vector<size_t> label;
  std::vector<float> blobs = Blobs({3000, 2000, 1500, 900, 600, 40, 7}, 32, 3.0, 5, &label);
  std::vector<float> raw = blobs;
  REQUIRE(NormalizeRows(blobs.data(), label.size(), 32) == std::nullopt);
  std::vector<float> uniform = Uniform(4000, 16, 3);
  std::vector<float> dups = Uniform(3000, 8, 4);
  for (size_t i = 0; i < 1000; ++i) {  // rows 2000.. repeat rows 0..999
    std::copy_n(dups.begin() + static_cast<std::ptrdiff_t>(i * 8), 8,
                dups.begin() + static_cast<std::ptrdiff_t>((2000 + i) * 8));
  }
  struct Case {
    const char* name;
    const std::vector<float>* x;
    size_t dim;
  };
  for (const Case& k : {Case{"blobs", &blobs, 32}, Case{"raw blobs", &raw, 32},
                        Case{"uniform", &uniform, 16}, Case{"duplicates", &dups, 8}}) {
    const size_t n = k.x->size() / k.dim;
    const EmbeddingMatrix m{k.x->data(), n, k.dim};
    for (SelectMethod method : {SelectMethod::kKCenter, SelectMethod::kRandom}) {
      SelectOptions o;
      o.count = 120;
      o.method = method;
      const auto s = Select(m, o);
      REQUIRE(s.ok());
      CAPTURE(k.name, ToString(method));
      for (const auto& [got, rows] : {std::pair{s->coverage, s->selected},
                                      std::pair{s->random_coverage, s->random_selected}}) {
        const std::vector<size_t> centres(rows.begin(), rows.end());
        double mean = 0;
        const double radius = ReferenceRadius(*k.x, k.dim, n, centres, &mean);
        CHECK(got.radius == Approx(radius).epsilon(1e-5));  // float32 sums, relative
        CHECK(got.mean == Approx(mean).epsilon(1e-5));
        const Coverage flat = MeasureCoverage(m, rows);
        CHECK(got.radius == Approx(flat.radius).epsilon(1e-6));
        CHECK(got.mean == Approx(flat.mean).epsilon(1e-6));
        CHECK(got.farthest_row == flat.farthest_row);
      }
    }
  }
}

TEST_CASE("select: the same result for a seed whatever the thread count", "[select]") {
  std::vector<size_t> label;
  std::vector<float> x = Blobs({3000, 2000, 1500, 900, 600}, 32, 3.0, 5, &label);
  const size_t n = label.size();
  REQUIRE(NormalizeRows(x.data(), n, 32) == std::nullopt);
  const EmbeddingMatrix m{x.data(), n, 32};
  for (SelectMethod method : {SelectMethod::kKCenter, SelectMethod::kRandom}) {
    SelectOptions o;
    o.count = 200;
    o.method = method;
    o.seed = 123;
    o.max_points_per_cluster = 64;  // exercise FAISS's seeded training sample
    std::vector<Selection> runs;
    for (int threads : {1, 2, 3}) {
      o.threads = threads;
      auto s = Select(m, o);
      REQUIRE(s.ok());
      runs.push_back(std::move(s.value()));
    }
    CHECK(runs[0].kmeans_training_rows < n);
    for (size_t i = 1; i < runs.size(); ++i) {
      CAPTURE(ToString(method), i);
      CHECK(runs[i].selected == runs[0].selected);
      CHECK(runs[i].selected_cluster == runs[0].selected_cluster);
      CHECK(runs[i].kmeans_objective == runs[0].kmeans_objective);
      CHECK(runs[i].coverage.radius == runs[0].coverage.radius);
      CHECK(runs[i].coverage.mean == runs[0].coverage.mean);
      CHECK(runs[i].random_selected == runs[0].random_selected);
      CHECK(runs[i].nearest_other == runs[0].nearest_other);
    }
    // A different seed gives a different random baseline.
    o.seed = 124;
    o.threads = 0;
    auto other = Select(m, o);
    REQUIRE(other.ok());
    CHECK(other->random_selected != runs[0].random_selected);
  }
}

TEST_CASE("select: one cluster is plain k-center greedy from the row nearest the mean",
          "[select]") {
  const size_t n = 400, dim = 6;
  const auto x = Uniform(n, dim, 3);
  const EmbeddingMatrix m{x.data(), n, dim};
  SelectOptions o;
  o.count = 12;
  o.clusters = 1;
  const auto s = Select(m, o);
  REQUIRE(s.ok());
  // With one cluster its centroid is the mean of all rows.
  std::vector<double> mean(dim, 0);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < dim; ++j) mean[j] += x[i * dim + j] / static_cast<double>(n);
  }
  size_t start = 0;
  double best = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < n; ++i) {
    double d = 0;
    for (size_t j = 0; j < dim; ++j) d += (x[i * dim + j] - mean[j]) * (x[i * dim + j] - mean[j]);
    if (d < best) best = d, start = i;
  }
  auto want = ReferenceFarthestFirst(x, dim, n, start, o.count);
  std::sort(want.begin(), want.end());
  CHECK(std::vector<size_t>(s->selected.begin(), s->selected.end()) == want);
  // Its radius against brute force.
  CHECK(s->coverage.radius == Approx(ReferenceRadius(x, dim, n, want)).epsilon(1e-5));
}

namespace {

// The digits data that python3-sklearn ships (1797 8x8 images, 64 pixel
// values and the digit per line; UCI "Optical Recognition of Handwritten
// Digits"), read through gzip, not copied into this repository.
constexpr const char* kDigits =
    "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz";

bool ReadDigits(std::vector<float>* x, std::vector<int>* digit) {
  FILE* f = popen((std::string("gzip -dc ") + kDigits + " 2>/dev/null").c_str(), "r");
  if (f == nullptr) return false;
  std::string line;
  int ch;
  while (true) {
    line.clear();
    while ((ch = std::fgetc(f)) != EOF && ch != '\n') line += static_cast<char>(ch);
    if (line.empty() && ch == EOF) break;
    std::vector<float> v;
    size_t p = 0;
    while (p <= line.size()) {
      const size_t e = std::min(line.find(',', p), line.size());
      v.push_back(std::stof(line.substr(p, e - p)));
      p = e + 1;
    }
    if (v.size() != 65) break;
    digit->push_back(static_cast<int>(v.back()));
    x->insert(x->end(), v.begin(), v.end() - 1);
  }
  return pclose(f) == 0;
}

}  // namespace

TEST_CASE("select: on sklearn's digits, k-center beats random selection clearly", "[select]") {
  std::vector<float> x;
  std::vector<int> digit;
  INFO("needs " << kDigits << " (Debian python3-sklearn; `make deps` installs it)");
  REQUIRE(ReadDigits(&x, &digit));
  const size_t n = digit.size(), dim = 64;
  REQUIRE(n == 1797);
  REQUIRE(NormalizeRows(x.data(), n, dim) == std::nullopt);
  const EmbeddingMatrix m{x.data(), n, dim};
  for (size_t count : {90, 180}) {  // 5 % and 10 %; default clusters round(sqrt(1797 / 2)) = 30
    // 50 independent random draws of the same size (not just the one the report
    // shows) against k-center with 5 seeds: every seed must beat the best draw,
    // and their mean radius be at least 8 % below the draws' median.
    std::vector<double> radii;
    for (uint64_t seed = 0; seed < 50; ++seed) {
      std::mt19937_64 g(1000 + seed);
      std::vector<uint32_t> all = AllRows(n);
      std::shuffle(all.begin(), all.end(), g);
      all.resize(count);
      std::sort(all.begin(), all.end());
      radii.push_back(MeasureCoverage(m, all).radius);
    }
    std::sort(radii.begin(), radii.end());
    const double median = radii[radii.size() / 2];
    double sum = 0, worst = 0, mean_distance = 0;
    std::set<int> seen;
    for (uint64_t seed = 0; seed < 5; ++seed) {
      SelectOptions o;
      o.count = count;
      o.seed = seed;
      const auto s = Select(m, o);
      REQUIRE(s.ok());
      CHECK(s->clusters == 30);
      CHECK(s->coverage.radius < radii.front());
      CHECK(s->coverage.radius < s->random_coverage.radius);
      sum += s->coverage.radius;
      worst = std::max(worst, s->coverage.radius);
      mean_distance += s->coverage.mean / 5;
      for (uint32_t r : s->selected) seen.insert(digit[r]);
    }
    const double mean = sum / 5;
    std::printf(
        "digits (1797 x 64, L2-normalised), %zu selected by k-center in 30 clusters, seeds 0-4: "
        "covering radius mean %.4f (worst %.4f), mean distance %.4f; 50 random draws: radius "
        "best %.4f, median %.4f -> k-center %.1f %% below the median\n",
        count, mean, worst, mean_distance, radii.front(), median, 100.0 * (median - mean) / median);
    CHECK(mean < 0.92 * median);
    CHECK(seen.size() == 10);  // all ten digits are among those chosen
  }
}

TEST_CASE("select: tokens seen and epochs (LIMA's numbers)", "[select]") {
  // LIMA (Zhou et al. 2023): 1,000 examples, 15 epochs. With 700 tokens per
  // example: 700,000 unique tokens, 10.5 M seen.
  const SftExposure e = SftExposureOf(1000, 200000, 15, 700);
  CHECK(e.unique_tokens == 700000);
  CHECK(e.tokens_seen == 10500000);
  CHECK(e.full_set_epochs == Approx(0.075));  // 15 x 1000 / 200000
}
