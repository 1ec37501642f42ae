// Coreset selection for SFT data (select.h). K-means and its nearest-centroid
// searches are FAISS's; the per-cluster selection and the covering radii
// (searched cluster by cluster, CoverageByCluster) are here.
//
// Determinism whatever the thread count: faiss::Clustering samples its
// training rows and initial centroids from its own seeded generator, its
// assignment searches give each row's nearest centroid independently of how
// rows are split among threads, and its centroid update sums each centroid's
// rows in row order whichever thread owns the centroid (FAISS 1.7.3,
// Clustering.cpp compute_centroids). Here, every cluster is selected by one
// thread from its own seeded stream, and sums over rows are taken serially.
// tests/test_select.cpp checks the whole result at 1, 2 and 3 threads.
#include "repsim/select.h"

#include <faiss/Clustering.h>
#include <faiss/IndexFlat.h>
#include <faiss/impl/FaissException.h>
#include <faiss/utils/distances.h>
#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

// The BLAS that FAISS links (Fortran interface, 32-bit integers as FAISS's
// own build declares them).
extern "C" int sgemm_(const char* transa, const char* transb, int* m, int* n, int* k,
                      const float* alpha, const float* a, int* lda, const float* b, int* ldb,
                      float* beta, float* c, int* ldc);

namespace repsim {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// Rows per FAISS search call: bounds the memory of one call and sets how
// often progress is reported.
constexpr size_t kSearchChunk = 1 << 16;

// SplitMix64 (Steele, Lea & Flood 2014): derives independent seeds for the
// generator of each cluster and of the random baseline from the one seed.
uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Stream ids: cluster c uses c; the random baseline and the K-means
// initialisation use their own.
constexpr uint64_t kBaselineStream = ~uint64_t{0};
constexpr uint64_t kInitStream = ~uint64_t{1};

std::mt19937_64 Stream(uint64_t seed, uint64_t stream) {
  return std::mt19937_64(SplitMix64(SplitMix64(seed) ^ SplitMix64(stream)));
}

// Uniform in [0, n) without modulo bias (rejection of the top partial range);
// written out because std::uniform_int_distribution differs between libraries.
uint64_t Below(std::mt19937_64& g, uint64_t n) {
  const uint64_t limit =
      std::numeric_limits<uint64_t>::max() - std::numeric_limits<uint64_t>::max() % n;
  uint64_t x;
  do {
    x = g();
  } while (x >= limit);
  return x % n;
}

// `k` distinct values of [0, n) by a partial Fisher-Yates shuffle, in draw order.
std::vector<size_t> Draw(std::mt19937_64& g, size_t n, size_t k) {
  std::vector<size_t> p(n);
  std::iota(p.begin(), p.end(), size_t{0});
  for (size_t i = 0; i < k; ++i) std::swap(p[i], p[i + Below(g, n - i)]);
  p.resize(k);
  return p;
}

// Sets the OpenMP thread count for one call and restores it afterwards.
class ThreadScope {
 public:
  explicit ThreadScope(int threads) : previous_(omp_get_max_threads()) {
    if (threads > 0) omp_set_num_threads(threads);
  }
  ~ThreadScope() { omp_set_num_threads(previous_); }
  ThreadScope(const ThreadScope&) = delete;
  ThreadScope& operator=(const ThreadScope&) = delete;

 private:
  int previous_;
};

// FAISS's flat index, searching fixed chunks of 4096 queries on OpenMP
// threads. FAISS 1.7.3 computes the distances of a batch of queries with one
// BLAS sgemm call after another, so with a single-threaded BLAS (Debian's
// default reference BLAS or ATLAS) its searches, and so its K-means, use one
// core; sklearn's K-means threads its own chunks the same way. The chunks
// are FAISS's own query block size and do not depend on the thread count,
// so neither do the results. Nested inside another parallel region it
// searches serially.
struct ChunkedFlatL2 : faiss::IndexFlatL2 {
  using faiss::IndexFlatL2::IndexFlatL2;
  void search(idx_t n, const float* x, idx_t k, float* distances, idx_t* labels,
              const faiss::SearchParameters* params = nullptr) const override {
    constexpr idx_t kChunk = 4096;
    const idx_t chunks = (n + kChunk - 1) / kChunk;
    if (chunks <= 1 || omp_in_parallel()) {
      faiss::IndexFlatL2::search(n, x, k, distances, labels, params);
      return;
    }
#pragma omp parallel for schedule(dynamic, 1)
    for (idx_t c = 0; c < chunks; ++c) {
      const idx_t lo = c * kChunk, len = std::min(kChunk, n - lo);
      faiss::IndexFlatL2::search(len, x + lo * d, k, distances + lo * k, labels + lo * k, params);
    }
  }
};

// Copies the rows `rows` of `m` into one contiguous block (for a FAISS index).
template <class Row>
std::vector<float> Gather(const EmbeddingMatrix& m, std::span<const Row> rows) {
  std::vector<float> out(rows.size() * m.dim);
  for (size_t i = 0; i < rows.size(); ++i) {
    std::copy_n(m.row(rows[i]), m.dim, out.data() + i * m.dim);
  }
  return out;
}

// Rows per cluster k-means++ draws its seeds from (a seeded sample).
constexpr size_t kInitRowsPerCluster = 64;

// Greedy k-means++ seeding (Arthur & Vassilvitskii 2007, with the local
// trials of their §6 as scikit-learn does them: 2 + floor(ln k) candidates
// per step, keep the one that lowers the summed squared distances most) of
// `k` centroids from a seeded sample of at most kInitRowsPerCluster * k rows.
// FAISS 1.7.3 seeds with k random rows, and plain k-means++ with one
// candidate per step, both of which can leave a small, distant group of
// examples without a centroid of its own; it then shares a quota of one with
// a larger group and is not represented (bench/run_select.sh: radius 1.34
// against scikit-learn's 0.55 on the benchmark data before this). These
// become faiss::Clustering's starting centroids. Candidate distances are one
// BLAS product per chunk of rows (fixed chunks, on OpenMP threads), summed
// per chunk and then over chunks in order: the same for any thread count.
std::vector<float> KMeansPlusPlus(const EmbeddingMatrix& m, size_t k, uint64_t seed) {
  std::mt19937_64 g = Stream(seed, kInitStream);
  const size_t s = std::min(m.rows, kInitRowsPerCluster * k), d = m.dim;
  std::vector<size_t> rows = Draw(g, m.rows, s);
  std::sort(rows.begin(), rows.end());
  const std::vector<float> x = Gather(m, std::span<const size_t>(rows));
  const size_t trials = 2 + static_cast<size_t>(std::log(static_cast<double>(k)));
  constexpr size_t kChunk = 4096;
  const size_t chunks = (s + kChunk - 1) / kChunk;
  std::vector<float> c(k * d), cand(trials * d), cd(trials * s);
  std::vector<float> nearest(s, std::numeric_limits<float>::infinity());
  std::vector<double> partial(chunks * trials), prefix(s);
  // The sample rows' squared norms, once (faiss::pairwise_L2sqr recomputes
  // them on every call: k times here).
  std::vector<float> xnorm(s), cnorm(trials);
  const auto ns = static_cast<int64_t>(s);
#pragma omp parallel for schedule(static)
  for (int64_t j = 0; j < ns; ++j) {
    xnorm[static_cast<size_t>(j)] =
        faiss::fvec_norm_L2sqr(x.data() + static_cast<size_t>(j) * d, d);
  }
  // Squared distances of `nc` candidates to every sample row into cd (nc x s),
  // and per chunk the sums of min(nearest, distance) for each candidate. The
  // distances are what faiss::pairwise_L2sqr (FAISS 1.7.3) computes, bit for
  // bit: the same norms (fvec_norm_L2sqr) added the same way, then the same
  // sgemm call, |c|^2 + |x|^2 - 2 c.x.
  auto measure = [&](size_t nc) {
    for (size_t t = 0; t < nc; ++t) cnorm[t] = faiss::fvec_norm_L2sqr(cand.data() + t * d, d);
    const auto nchunks = static_cast<int64_t>(chunks);
#pragma omp parallel for schedule(dynamic, 1)
    for (int64_t ci = 0; ci < nchunks; ++ci) {
      const size_t lo = static_cast<size_t>(ci) * kChunk, len = std::min(kChunk, s - lo);
      for (size_t t = 0; t < nc; ++t) {
        for (size_t j = lo; j < lo + len; ++j) cd[t * s + j] = cnorm[t] + xnorm[j];
      }
      {
        int rows = static_cast<int>(len), cols = static_cast<int>(nc), depth = static_cast<int>(d);
        int ld_x = depth, ld_cand = depth, ld_cd = static_cast<int>(s);
        const float minus_two = -2.0f;
        float one = 1.0f;
        sgemm_("Transposed", "Not transposed", &rows, &cols, &depth, &minus_two, x.data() + lo * d,
               &ld_x, cand.data(), &ld_cand, &one, cd.data() + lo, &ld_cd);
      }
      for (size_t t = 0; t < nc; ++t) {
        double sum = 0;
        for (size_t j = lo; j < lo + len; ++j) {
          float& v = cd[t * s + j];
          v = std::max(v, 0.0f);  // |c|^2 + |x|^2 - 2 c.x can round below zero
          sum += std::min(nearest[j], v);
        }
        partial[static_cast<size_t>(ci) * trials + t] = sum;
      }
    }
  };
  auto take = [&](size_t i, size_t t) {
    std::copy_n(cand.data() + t * d, d, c.data() + i * d);
    for (size_t j = 0; j < s; ++j) nearest[j] = std::min(nearest[j], cd[t * s + j]);
  };
  std::copy_n(x.data() + Below(g, s) * d, d, cand.data());
  measure(1);
  take(0, 0);
  for (size_t i = 1; i < k; ++i) {
    double total = 0;
    for (size_t j = 0; j < s; ++j) prefix[j] = (total += nearest[j]);
    for (size_t t = 0; t < trials; ++t) {
      size_t pick;
      if (total > 0) {
        const double target = static_cast<double>(g() >> 11) * 0x1.0p-53 * total;
        pick = static_cast<size_t>(std::upper_bound(prefix.begin(), prefix.end(), target) -
                                   prefix.begin());
        pick = std::min(pick, s - 1);
      } else {  // every sampled row is a copy of a chosen one
        pick = Below(g, s);
      }
      std::copy_n(x.data() + pick * d, d, cand.data() + t * d);
    }
    measure(trials);
    size_t best = 0;
    double best_sum = std::numeric_limits<double>::infinity();
    for (size_t t = 0; t < trials; ++t) {
      double sum = 0;
      for (size_t ci = 0; ci < chunks; ++ci) sum += partial[ci * trials + t];
      if (sum < best_sum) best_sum = sum, best = t;
    }
    take(i, best);
  }
  return c;
}

// Nearest row of `index` (k = 1) for rows [0, m.rows) of `m`, in chunks.
void SearchAll(const faiss::Index& index, const EmbeddingMatrix& m, std::vector<float>* dist,
               std::vector<faiss::Index::idx_t>* label, std::string_view phase,
               const SelectProgress& progress) {
  dist->resize(m.rows);
  label->resize(m.rows);
  for (size_t start = 0; start < m.rows; start += kSearchChunk) {
    const size_t len = std::min(kSearchChunk, m.rows - start);
    index.search(static_cast<faiss::Index::idx_t>(len), m.row(start), 1, dist->data() + start,
                 label->data() + start);
    if (progress) progress(phase, start + len, m.rows);
  }
}

// Radius, mean and farthest row of the per-row distances (summed in row order).
Coverage Summarize(std::vector<float> dist, std::vector<float>* nearest) {
  Coverage c;
  double sum = 0;
  for (size_t i = 0; i < dist.size(); ++i) {
    sum += dist[i];
    if (dist[i] > c.radius) {
      c.radius = dist[i];
      c.farthest_row = i;
    }
  }
  c.mean = sum / static_cast<double>(dist.size());
  if (nearest != nullptr) *nearest = std::move(dist);
  return c;
}

Coverage MeasureCoverageImpl(const EmbeddingMatrix& m, std::span<const uint32_t> selected,
                             std::vector<float>* nearest, std::string_view phase,
                             const SelectProgress& progress) {
  const std::vector<float> block = Gather(m, selected);
  ChunkedFlatL2 index(static_cast<int>(m.dim));
  index.add(static_cast<faiss::Index::idx_t>(selected.size()), block.data());
  std::vector<float> dist;
  std::vector<faiss::Index::idx_t> label;
  SearchAll(index, m, &dist, &label, phase, progress);
  // The search computes |x|^2 + |y|^2 - 2 x.y, which loses digits for close
  // pairs; the distance to the row it found is recomputed directly.
  const auto n = static_cast<int64_t>(m.rows);
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    const float* s = block.data() + static_cast<size_t>(label[i]) * m.dim;
    dist[i] = std::sqrt(faiss::fvec_L2sqr(m.row(i), s, m.dim));
  }
  return Summarize(std::move(dist), nearest);
}

// On x86-64 with GCC, L2sqrLanes is compiled three times (AVX-512, AVX2, and
// the SSE2 baseline) and the loader picks the one the CPU runs; without
// floating-point contraction (no FMA) each lane does the same float
// operations in the same order in every version, so all return the same bits.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define REPSIM_VECTOR_CLONES \
  __attribute__((target_clones("avx512f", "avx2", "default"), optimize("fp-contract=off")))
#else
#define REPSIM_VECTOR_CLONES
#endif

// Squared Euclidean distance, summed in 32 interleaved float lanes (then
// the lanes pairwise, then the tail) so the compiler vectorises it with
// independent accumulators; a fixed order, the same on every machine and
// thread. Used to find nearest rows; the distance reported for the row found
// is then faiss::fvec_L2sqr's, as before.
REPSIM_VECTOR_CLONES float L2sqrLanes(const float* x, const float* y, size_t d) {
#ifdef __clang__
#pragma clang fp contract(off)
#endif
  constexpr size_t kLanes = 32;
  float acc[kLanes] = {};
  size_t j = 0;
  for (; j + kLanes <= d; j += kLanes) {
    for (size_t l = 0; l < kLanes; ++l) {
      const float t = x[j + l] - y[j + l];
      acc[l] += t * t;
    }
  }
  for (size_t w = kLanes / 2; w > 0; w /= 2) {
    for (size_t l = 0; l < w; ++l) acc[l] += acc[l + w];
  }
  float tail = 0;
  for (; j < d; ++j) {
    const float t = x[j] - y[j];
    tail += t * t;
  }
  return acc[0] + tail;
}

// Euclidean distance in double, for the bounds of CoverageByCluster.
double DistanceD(const float* x, const float* y, size_t d) {
  double s = 0;
  for (size_t j = 0; j < d; ++j) {
    const double t = static_cast<double>(x[j]) - y[j];
    s += t * t;
  }
  return std::sqrt(s);
}

// The rows grouped by K-means cluster, and the centroids.
struct ClusterIndex {
  size_t count = 0;                   // clusters
  std::span<const float> centroids;   // count x dim
  std::span<const uint32_t> members;  // rows, cluster by cluster
  std::span<const size_t> offset;     // cluster c: members[offset[c], offset[c + 1])
  std::span<const uint32_t> cluster;  // per row, its cluster
};

// Relative slack on the pruning bound for `dim` dimensions: a cluster is
// skipped only when its lower bound exceeds the best distance so far by this
// much, more than the rounding of L2sqrLanes' float sums (at most about
// (dim / 32 + 6) * 2^-24 relative, 3e-6 at 384 dimensions), so no row loses
// its nearest selected row to rounding.
double PruneSlack(size_t dim) { return 1e-4 + 1e-8 * static_cast<double>(dim); }

// Coverage of `selected` like MeasureCoverageImpl, the same nearest selected
// row for every row (exact; ties to the earliest selected row), but searched
// cluster by cluster instead of against every selected row. For a row x of
// cluster a and a selected row s of cluster c, with centroids m_a, m_c and
// R_c the largest distance of a selected row of c to m_c, the triangle
// inequality gives
//   |x - s| >= |m_a - m_c| - |x - m_a| - R_c,
// so the clusters are visited in ascending |m_a - m_c| - R_c (one order per
// cluster a, as |x - m_a| is the same for all of them) and the search of x
// stops at the first whose bound exceeds the best distance found. On
// embeddings grouped by topic most rows need only the selected rows of their
// own topic's clusters; the bound holds for any data, only the saving varies.
Coverage CoverageByCluster(const EmbeddingMatrix& m, std::span<const uint32_t> selected,
                           const ClusterIndex& ci, std::vector<float>* nearest,
                           std::string_view phase, const SelectProgress& progress) {
  const size_t n = m.rows, d = m.dim, nc = ci.count, k = selected.size();
  if (progress) progress(phase, 0, n);
  // Selected rows grouped by cluster (positions into `selected`, ascending),
  // and each cluster's selected radius R_c.
  std::vector<size_t> sel_offset(nc + 1, 0);
  for (uint32_t r : selected) ++sel_offset[ci.cluster[r] + 1];
  std::partial_sum(sel_offset.begin(), sel_offset.end(), sel_offset.begin());
  std::vector<uint32_t> sel_pos(k);
  std::vector<double> reach(nc, 0);
  {
    std::vector<size_t> fill(sel_offset.begin(), sel_offset.end() - 1);
    for (size_t p = 0; p < k; ++p) {
      const size_t c = ci.cluster[selected[p]];
      sel_pos[fill[c]++] = static_cast<uint32_t>(p);
      reach[c] = std::max(reach[c], DistanceD(m.row(selected[p]), &ci.centroids[c * d], d));
    }
  }
  std::vector<uint32_t> live;  // clusters with a selected row
  for (size_t c = 0; c < nc; ++c) {
    if (sel_offset[c + 1] > sel_offset[c]) live.push_back(static_cast<uint32_t>(c));
  }
  const size_t nl = live.size();
  // Per cluster a: the live clusters by ascending key |m_a - m_c| - R_c.
  std::vector<uint32_t> order(nc * nl);
  std::vector<double> key(nc * nl);
  const auto clusters = static_cast<int64_t>(nc);
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t ai = 0; ai < clusters; ++ai) {
    const auto a = static_cast<size_t>(ai);
    std::vector<std::pair<double, uint32_t>> kc(nl);
    for (size_t i = 0; i < nl; ++i) {
      const size_t c = live[i];
      kc[i] = {DistanceD(&ci.centroids[a * d], &ci.centroids[c * d], d) - reach[c], live[i]};
    }
    std::sort(kc.begin(), kc.end());
    for (size_t i = 0; i < nl; ++i) {
      key[a * nl + i] = kc[i].first;
      order[a * nl + i] = kc[i].second;
    }
  }
  std::vector<float> dist(n);
  const double slack = PruneSlack(d);
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t ai = 0; ai < clusters; ++ai) {
    const auto a = static_cast<size_t>(ai);
    const float* centre = &ci.centroids[a * d];
    for (size_t q = ci.offset[a]; q < ci.offset[a + 1]; ++q) {
      const float* x = m.row(ci.members[q]);
      const double to_centre = DistanceD(x, centre, d);
      float best = std::numeric_limits<float>::infinity();
      size_t best_p = k;
      for (size_t i = 0; i < nl; ++i) {
        const double bound = key[a * nl + i] - to_centre;
        if (bound > 0 && best_p < k && bound > std::sqrt(static_cast<double>(best)) * (1 + slack)) {
          break;
        }
        const size_t c = order[a * nl + i];
        for (size_t j = sel_offset[c]; j < sel_offset[c + 1]; ++j) {
          const size_t p = sel_pos[j];
          const float v = L2sqrLanes(x, m.row(selected[p]), d);
          if (v < best || (v == best && p < best_p)) {
            best = v;
            best_p = p;
          }
        }
      }
      dist[ci.members[q]] = std::sqrt(faiss::fvec_L2sqr(x, m.row(selected[best_p]), d));
    }
  }
  if (progress) progress(phase, n, n);
  {}
  return Summarize(std::move(dist), nearest);
}

// Distance of each selected row to the nearest other selected row.
std::vector<float> NearestOther(const EmbeddingMatrix& m, std::span<const uint32_t> selected) {
  const size_t k = selected.size();
  std::vector<float> out(k, std::numeric_limits<float>::quiet_NaN());
  if (k < 2) return out;
  const std::vector<float> block = Gather(m, selected);
  ChunkedFlatL2 index(static_cast<int>(m.dim));
  index.add(static_cast<faiss::Index::idx_t>(k), block.data());
  std::vector<float> dist(2 * k);
  std::vector<faiss::Index::idx_t> label(2 * k);
  index.search(static_cast<faiss::Index::idx_t>(k), block.data(), 2, dist.data(), label.data());
  for (size_t i = 0; i < k; ++i) {
    // Itself is normally first; with exact duplicates it may come second.
    const faiss::Index::idx_t j =
        label[2 * i] != static_cast<faiss::Index::idx_t>(i) ? label[2 * i] : label[2 * i + 1];
    out[i] = std::sqrt(faiss::fvec_L2sqr(block.data() + i * m.dim,
                                         block.data() + static_cast<size_t>(j) * m.dim, m.dim));
  }
  return out;
}

}  // namespace

std::string_view ToString(SelectMethod m) {
  switch (m) {
    case SelectMethod::kKCenter:
      return "kcenter";
    case SelectMethod::kCentroid:
      return "centroid";
    case SelectMethod::kRandom:
      return "random";
  }
  return "?";
}

std::vector<std::string_view> SelectMethodNames() { return {"kcenter", "centroid", "random"}; }

std::optional<SelectMethod> SelectMethodFromString(std::string_view s) {
  for (SelectMethod m : {SelectMethod::kKCenter, SelectMethod::kCentroid, SelectMethod::kRandom}) {
    if (ToString(m) == s) return m;
  }
  return std::nullopt;
}

size_t DefaultClusterCount(size_t rows, size_t count) {
  const auto c = static_cast<size_t>(std::llround(std::sqrt(static_cast<double>(rows) / 2.0)));
  return std::clamp<size_t>(c, 1, std::max<size_t>(count, 1));
}

std::optional<size_t> NormalizeRows(float* data, size_t rows, size_t dim) {
  for (size_t i = 0; i < rows; ++i) {
    float* r = data + i * dim;
    double s = 0;
    for (size_t j = 0; j < dim; ++j) s += static_cast<double>(r[j]) * r[j];
    if (!(s > 0)) return i;
    // Already unit length to float32 precision (embedding models often write
    // them so): left untouched, so a memory-mapped file's pages stay shared
    // with the page cache instead of being copied.
    if (std::abs(s - 1.0) <= 1e-6) continue;
    const auto inv = static_cast<float>(1.0 / std::sqrt(s));
    for (size_t j = 0; j < dim; ++j) r[j] *= inv;
  }
  return std::nullopt;
}

std::vector<size_t> ClusterQuotas(const std::vector<size_t>& sizes, size_t count) {
  const double total = std::accumulate(sizes.begin(), sizes.end(), 0.0);
  const size_t c = sizes.size();
  std::vector<double> share(c);
  std::vector<size_t> q(c);
  size_t sum = 0;
  for (size_t i = 0; i < c; ++i) {
    share[i] = static_cast<double>(count) * static_cast<double>(sizes[i]) / total;
    q[i] = std::max<size_t>(1, std::min(sizes[i], static_cast<size_t>(std::floor(share[i]))));
    sum += q[i];
  }
  std::vector<size_t> order(c);
  std::iota(order.begin(), order.end(), size_t{0});
  while (sum < count) {
    // Largest remainder first; ties: lower index.
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return share[a] - static_cast<double>(q[a]) > share[b] - static_cast<double>(q[b]);
    });
    for (size_t i : order) {
      if (sum == count) break;
      if (q[i] < sizes[i]) {
        ++q[i];
        ++sum;
      }
    }
  }
  while (sum > count) {
    // Smallest remainder (most over-served) first; ties: higher index.
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      const double ra = share[a] - static_cast<double>(q[a]);
      const double rb = share[b] - static_cast<double>(q[b]);
      return ra < rb || (ra == rb && a > b);
    });
    for (size_t i : order) {
      if (sum == count) break;
      if (q[i] > 1) {
        --q[i];
        --sum;
      }
    }
  }
  return q;
}

std::vector<size_t> KCenterGreedy(const EmbeddingMatrix& m, std::span<const uint32_t> members,
                                  size_t first, size_t k) {
  const size_t n = members.size();
  // Squared distance of each member to the nearest picked one; -1 once picked.
  std::vector<float> nearest(n, std::numeric_limits<float>::infinity());
  std::vector<size_t> picked;
  picked.reserve(k);
  size_t cur = first;
  while (true) {
    picked.push_back(cur);
    nearest[cur] = -1;
    if (picked.size() == k) break;
    const float* centre = m.row(members[cur]);
    size_t far = n;
    float far_d = -1;
    for (size_t j = 0; j < n; ++j) {
      if (nearest[j] < 0) continue;
      const float d = faiss::fvec_L2sqr(m.row(members[j]), centre, m.dim);
      if (d < nearest[j]) nearest[j] = d;
      if (nearest[j] > far_d) {
        far_d = nearest[j];
        far = j;
      }
    }
    cur = far;
  }
  return picked;
}

Coverage MeasureCoverage(const EmbeddingMatrix& m, std::span<const uint32_t> selected,
                         std::vector<float>* nearest) {
  return MeasureCoverageImpl(m, selected, nearest, "coverage", {});
}

std::optional<Error> Validate(const SelectOptions& o, size_t rows) {
  if (rows == 0) return Error{"no examples (zero rows)", "rows"};
  if (rows > std::numeric_limits<uint32_t>::max()) {
    return Error{fmt::format("{} examples: at most {} are supported", rows,
                             std::numeric_limits<uint32_t>::max()),
                 "rows"};
  }
  if (o.count < 1 || o.count > rows) {
    return Error{
        fmt::format("{} examples to select: must be from 1 to the {} there are", o.count, rows),
        "count"};
  }
  if (o.clusters > o.count) {
    return Error{fmt::format("{} clusters for {} selected examples: each cluster gets at least "
                             "one, so at most {} clusters",
                             o.clusters, o.count, o.count),
                 "clusters"};
  }
  if (o.clusters > static_cast<size_t>(INT_MAX)) return Error{"too many clusters", "clusters"};
  if (o.kmeans_iterations < 1 || o.kmeans_iterations > 10000) {
    return Error{fmt::format("{} K-means iterations: must be from 1 to 10000", o.kmeans_iterations),
                 "kmeans_iterations"};
  }
  if (o.max_points_per_cluster < 1) {
    return Error{"K-means sample cap must be >= 1 row per cluster", "max_points_per_cluster"};
  }
  if (o.threads < 0 || o.threads > 1024) {
    return Error{fmt::format("{} threads: must be from 0 (all cores) to 1024", o.threads),
                 "threads"};
  }
  return std::nullopt;
}

Expected<Selection> Select(const EmbeddingMatrix& m, const SelectOptions& opt,
                           const SelectProgress& progress) {
  if (auto e = Validate(opt, m.rows)) return *e;
  if (m.dim < 1 || m.dim > static_cast<size_t>(INT_MAX)) {
    return Error{fmt::format("{} dimensions per embedding: must be from 1 to {}", m.dim, INT_MAX),
                 "dim"};
  }
  ThreadScope threads(opt.threads);
  const size_t n = m.rows;
  const size_t want = opt.clusters > 0 ? opt.clusters : DefaultClusterCount(n, opt.count);
  Selection out;
  try {
    // 1. K-means (FAISS) and the assignment of every row.
    auto t0 = Clock::now();
    if (progress) progress("k-means", 0, 1);
    faiss::ClusteringParameters cp;
    cp.niter = opt.kmeans_iterations;
    cp.max_points_per_centroid = opt.max_points_per_cluster;
    cp.min_points_per_centroid = 1;  // no FAISS warning for small clusters
    cp.seed = static_cast<int>((opt.seed ^ (opt.seed >> 31)) & 0x7fffffff);
    faiss::Clustering km(static_cast<int>(m.dim), static_cast<int>(want), cp);
    km.centroids = KMeansPlusPlus(m, want, opt.seed);
    {
      ChunkedFlatL2 train_index(static_cast<int>(m.dim));
      km.train(static_cast<faiss::Index::idx_t>(n), m.data, train_index);
    }
    out.kmeans_objective = km.iteration_stats.empty() ? 0 : km.iteration_stats.back().obj;
    out.kmeans_training_rows =
        std::min<size_t>(n, want * static_cast<size_t>(opt.max_points_per_cluster));
    if (progress) progress("k-means", 1, 1);
    ChunkedFlatL2 centroids(static_cast<int>(m.dim));
    centroids.add(static_cast<faiss::Index::idx_t>(want), km.centroids.data());
    std::vector<float> cdist;
    std::vector<faiss::Index::idx_t> assign;
    SearchAll(centroids, m, &cdist, &assign, "assign", progress);
    out.kmeans_seconds = Seconds(t0);

    // 2. Clusters (empty ones dropped), quotas, selection inside each.
    t0 = Clock::now();
    std::vector<size_t> size(want, 0);
    for (auto a : assign) ++size[static_cast<size_t>(a)];
    std::vector<size_t> renumber(want, 0);
    for (size_t c = 0; c < want; ++c) {
      if (size[c] > 0) renumber[c] = out.clusters++;
    }
    std::vector<size_t> offset(out.clusters + 1, 0);
    for (size_t c = 0; c < want; ++c) {
      if (size[c] > 0) offset[renumber[c] + 1] = size[c];
    }
    std::partial_sum(offset.begin(), offset.end(), offset.begin());
    std::vector<uint32_t> members(n);
    {
      std::vector<size_t> fill(offset.begin(), offset.end() - 1);
      for (size_t i = 0; i < n; ++i) {
        members[fill[renumber[static_cast<size_t>(assign[i])]]++] = static_cast<uint32_t>(i);
      }
    }
    // The live clusters' centroids and each row's cluster, for the coverage.
    std::vector<float> live_centroids(out.clusters * m.dim);
    std::vector<uint32_t> cluster_of(n);
    for (size_t c = 0; c < want; ++c) {
      if (size[c] > 0) {
        std::copy_n(km.centroids.data() + c * m.dim, m.dim,
                    live_centroids.data() + renumber[c] * m.dim);
      }
    }
    for (size_t i = 0; i < n; ++i) {
      cluster_of[i] = static_cast<uint32_t>(renumber[static_cast<size_t>(assign[i])]);
    }
    std::vector<size_t> sizes(out.clusters);
    for (size_t c = 0; c < out.clusters; ++c) sizes[c] = offset[c + 1] - offset[c];
    const std::vector<size_t> quota = ClusterQuotas(sizes, opt.count);
    out.cluster.resize(out.clusters);
    for (size_t c = 0; c < out.clusters; ++c) out.cluster[c] = {sizes[c], quota[c]};

    std::vector<std::vector<size_t>> chosen(out.clusters);  // positions in the cluster
    const auto clusters = static_cast<int64_t>(out.clusters);
#pragma omp parallel for schedule(dynamic, 1)
    for (int64_t ci = 0; ci < clusters; ++ci) {
      const auto c = static_cast<size_t>(ci);
      const std::span<const uint32_t> mem(members.data() + offset[c], sizes[c]);
      // Members by distance to the centroid, ties by row.
      auto nearest_first = [&](size_t a, size_t b) {
        const float da = cdist[mem[a]], db = cdist[mem[b]];
        return da < db || (da == db && a < b);
      };
      switch (opt.method) {
        case SelectMethod::kKCenter: {
          size_t start = 0;
          for (size_t j = 1; j < mem.size(); ++j) {
            if (nearest_first(j, start)) start = j;
          }
          chosen[c] = KCenterGreedy(m, mem, start, quota[c]);
          break;
        }
        case SelectMethod::kCentroid: {
          std::vector<size_t> p(mem.size());
          std::iota(p.begin(), p.end(), size_t{0});
          std::partial_sort(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(quota[c]), p.end(),
                            nearest_first);
          p.resize(quota[c]);
          chosen[c] = std::move(p);
          break;
        }
        case SelectMethod::kRandom: {
          std::mt19937_64 g = Stream(opt.seed, c);
          chosen[c] = Draw(g, mem.size(), quota[c]);
          break;
        }
      }
    }
    std::vector<std::pair<uint32_t, uint32_t>> rows;  // (row, cluster)
    rows.reserve(opt.count);
    for (size_t c = 0; c < out.clusters; ++c) {
      for (size_t p : chosen[c]) {
        rows.emplace_back(members[offset[c] + p], static_cast<uint32_t>(c));
      }
    }
    std::sort(rows.begin(), rows.end());
    for (const auto& [row, cluster] : rows) {
      out.selected.push_back(row);
      out.selected_cluster.push_back(cluster);
    }
    if (progress) progress("select", 1, 1);
    out.select_seconds = Seconds(t0);

    // 3. How well it covers the data, against a uniform random draw.
    t0 = Clock::now();
    out.nearest_other = NearestOther(m, out.selected);
    const ClusterIndex index{out.clusters, live_centroids, members, offset, cluster_of};
    out.coverage = CoverageByCluster(m, out.selected, index, nullptr, "coverage", progress);
    std::mt19937_64 g = Stream(opt.seed, kBaselineStream);
    for (size_t r : Draw(g, n, opt.count)) out.random_selected.push_back(static_cast<uint32_t>(r));
    std::sort(out.random_selected.begin(), out.random_selected.end());
    out.random_coverage =
        CoverageByCluster(m, out.random_selected, index, nullptr, "random coverage", progress);
    out.evaluate_seconds = Seconds(t0);
  } catch (const faiss::FaissException& e) {
    return Error{fmt::format("FAISS failed: {}", e.what())};
  }
  return out;
}

SftExposure SftExposureOf(size_t selected, size_t total, double epochs, double tokens_per_example) {
  SftExposure e;
  e.epochs = epochs;
  e.tokens_per_example = tokens_per_example;
  e.unique_tokens = static_cast<double>(selected) * tokens_per_example;
  e.tokens_seen = epochs * e.unique_tokens;
  e.full_set_epochs = epochs * static_cast<double>(selected) / static_cast<double>(total);
  return e;
}

}  // namespace repsim
