#include "io/plots.h"

#include <algorithm>

#include <fmt/format.h>

#include "io/table.h"

namespace repsim::io {

std::vector<size_t> SpreadIndices(size_t n, size_t m) {
  std::vector<size_t> out;
  if (n == 0 || m == 0) return out;
  if (n <= m) {
    for (size_t i = 0; i < n; ++i) out.push_back(i);
    return out;
  }
  if (m == 1) return {0};
  for (size_t k = 0; k < m; ++k) out.push_back((k * (n - 1) + (m - 1) / 2) / (m - 1));
  return out;
}

namespace {
int Slot(const std::vector<size_t>& v, size_t i) {
  auto it = std::lower_bound(v.begin(), v.end(), i);
  return it != v.end() && *it == i ? static_cast<int>(it - v.begin()) : -1;
}
bool LogAxis(const SweepAxis& a) {
  const auto [lo, hi] = std::minmax_element(a.values.begin(), a.values.end());
  return *lo > 0 && *hi / *lo > 20;
}
bool TrainingLength(const std::string& key) {
  return key == "training.epochs" || key == "training.tokens" || key == "training.compute";
}
}  // namespace

int SweepPlotPlan::XSlot(size_t i) const { return Slot(x_index, i); }
int SweepPlotPlan::YSlot(size_t i) const { return Slot(y_index, i); }

SweepPlotPlan PlanSweepPlot(std::span<const SweepAxis> axes) {
  SweepPlotPlan plan;
  std::vector<size_t> varying;
  for (size_t k = 0; k < axes.size(); ++k) {
    if (axes[k].values.size() > 1) varying.push_back(k);
  }
  if (varying.empty()) return plan;
  plan.x = varying.front();
  for (size_t k : varying) {
    if (TrainingLength(axes[k].key)) {
      plan.x = k;
      break;
    }
  }
  plan.x_log = LogAxis(axes[plan.x]);
  plan.x_index = SpreadIndices(axes[plan.x].values.size(), kSweepPlotMaxValues);
  if (varying.size() == 1) {
    plan.kind = SweepPlotPlan::Kind::kLine;
  } else {
    plan.kind = SweepPlotPlan::Kind::kHeatmap;
    plan.y = varying.front() == plan.x ? varying[1] : varying.front();
    for (size_t k : varying) {
      if (k != plan.x && axes[k].key == "data.unique_tokens") plan.y = k;
    }
    plan.y_log = LogAxis(axes[plan.y]);
    plan.y_index = SpreadIndices(axes[plan.y].values.size(), kSweepPlotMaxValues);
  }
  for (size_t k : varying) {
    if (k == plan.x || (plan.kind == SweepPlotPlan::Kind::kHeatmap && k == plan.y)) continue;
    plan.fixed += fmt::format("{}{} = {}", plan.fixed.empty() ? "" : ", ", axes[k].key,
                              Short(axes[k].values.front()));
  }
  return plan;
}

std::string SweepPlotDataFile(const SweepPlotPlan& plan) {
  switch (plan.kind) {
    case SweepPlotPlan::Kind::kHeatmap: return "sweep_heatmap.dat";
    case SweepPlotPlan::Kind::kLine: return "sweep_delta.dat";
    case SweepPlotPlan::Kind::kNone: break;
  }
  return {};
}

std::optional<std::string> WriteSweepPlot(const std::string&, std::span<const SweepAxis>,
                                          const std::filesystem::path&, const PlotOptions&) {
  return std::nullopt;
}
std::optional<std::string> RenderScripts(const std::filesystem::path&,
                                         const std::vector<std::string>&, const PlotOptions&) {
  return std::nullopt;
}
std::optional<std::string> WritePlots(const ScenarioResults&, const PlotOptions&, const Staging&) {
  return std::nullopt;
}

}  // namespace repsim::io
