// repsim._repsim: the C++ half of the Python module (pybind11).
//
// A thin layer over the same libraries the CLI links (repsim_core,
// repsim_io): scenario text goes through the loader, runs through the engine,
// files through the writers, so that Python and `repsim run` give the same
// numbers and the same files. The Python half (python/repsim/*.py) turns
// keyword arguments into scenario text and these results into numpy arrays and
// pandas DataFrames; everything that may be slow runs here with the GIL
// released.
//
// Bad input raises repsim.ScenarioError (a ValueError) with the CLI's message;
// the functions here take only already-typed arguments (the Python half
// checks types), and never abort on a value.
#include <fmt/format.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "io/run_scenario.h"
#include "repsim/chunk_pipeline.h"
#include "repsim/engine.h"
#include "repsim/fit.h"
#include "repsim/law.h"
#include "repsim/plan.h"
#include "repsim/scenario.h"
#include "repsim/scenario_keys.h"
#include "repsim/sweep.h"
#include "repsim/validate.h"
#include "repsim/version.h"
#include "repsim/weight_decay.h"

namespace py = pybind11;

namespace repsim::python {
namespace {

// repsim.ScenarioError, set when the module is initialised.
py::object& ScenarioErrorType() {
  static py::object type;
  return type;
}

[[noreturn]] void ThrowScenarioError(const std::string& message) {
  PyErr_SetString(ScenarioErrorType().ptr(), message.c_str());
  throw py::error_already_set();
}

// A numeric column's value at a point, straight from the registry
// (io/columns.h): the double whose shortest round-trip text its CSV cell holds,
// NaN for an empty (unsolved) cell. No text is formatted or parsed.
double CellNumber(const io::Column& column, const Run& run, const Summary& summary) {
  return column.Value(run, summary).value_or(std::numeric_limits<double>::quiet_NaN());
}

// --- Columns built in C++ and handed to Python as numpy arrays ----------------

// One output column: numbers (float64) or text (a Python str per cell).
struct Column {
  std::string name;
  bool numeric = true;
  std::vector<double> numbers;
  std::vector<std::string> text;
};

py::array_t<double> ToArray(std::vector<double>&& v, const std::vector<py::ssize_t>& shape) {
  auto* heap = new std::vector<double>(std::move(v));
  py::capsule owner(heap, [](void* p) { delete static_cast<std::vector<double>*>(p); });
  std::vector<py::ssize_t> strides(shape.size());
  py::ssize_t s = sizeof(double);
  for (size_t k = shape.size(); k-- > 0;) {
    strides[k] = s;
    s *= shape[k];
  }
  return py::array_t<double>(shape, strides, heap->data(), owner);
}

py::array ToObjectArray(const std::vector<std::string>& v, const std::vector<py::ssize_t>& shape) {
  py::list items(v.size());
  // Equal neighbours share one str object (status "ok", the law's name).
  py::object last;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i == 0 || v[i] != v[i - 1]) last = py::str(v[i]);
    items[i] = last;
  }
  py::module_ np = py::module_::import("numpy");
  py::array flat = np.attr("array")(items, py::arg("dtype") = "object");
  return flat.attr("reshape")(py::cast(shape));
}

py::dict ColumnsToDict(std::vector<Column>& columns, const std::vector<py::ssize_t>& shape) {
  py::dict out;
  for (Column& c : columns) {
    if (c.numeric) {
      out[py::str(c.name)] = ToArray(std::move(c.numbers), shape);
    } else {
      out[py::str(c.name)] = ToObjectArray(c.text, shape);
    }
  }
  return out;
}

// --- Scenarios -------------------------------------------------------------------

// A loaded, valid scenario and the file (or text) it came from.
struct ScenarioHandle {
  Scenario scenario;
  std::string path;
  std::string text;
};

ScenarioHandle FromLoad(io::LoadResult&& r, const std::string& path) {
  if (!r.scenario) ThrowScenarioError(r.FormatErrors());
  return ScenarioHandle{std::move(*r.scenario), path, std::move(r.source)};
}

ScenarioHandle LoadFile(const std::string& path, bool allow_implausible) {
  io::LoadResult r;
  {
    py::gil_scoped_release release;
    r = io::LoadScenarioFile(path, {}, io::LoadOptions{allow_implausible});
  }
  return FromLoad(std::move(r), path);
}

ScenarioHandle LoadText(const std::string& text, const std::string& path, bool allow_implausible) {
  io::LoadResult r;
  {
    py::gil_scoped_release release;
    r = io::LoadScenarioText(text, path, {}, io::LoadOptions{allow_implausible});
  }
  return FromLoad(std::move(r), path);
}

// What Scenario.run() computed: the results `repsim run` would write.
struct ResultsHandle {
  ScenarioResults results;
};

ResultsHandle RunScenario(const ScenarioHandle& h) {
  Expected<ScenarioResults> r = Error{""};
  {
    py::gil_scoped_release release;
    r = EvaluateScenario(h.path, h.scenario);
  }
  if (!r) throw std::runtime_error(r.error());
  return ResultsHandle{std::move(r).value()};
}

py::dict ResultsTexts(const ResultsHandle& h) {
  const ScenarioResults& r = h.results;
  py::dict out;
  out["summary_json"] = io::SummaryJson(r);
  out["trajectory_csv"] = io::TrajectoryCsv(r.trajectory);
  out["sources_csv"] = io::SourcesCsv(r.summary);
  if (!r.scenario.compare.empty()) out["compare_csv"] = io::CompareCsv(r.compare);
  return out;
}

// Writes what `repsim run --out DIR` writes for this scenario; returns the folder.
std::string WriteResults(ResultsHandle& h, const std::string& out_dir, int threads, bool png) {
  io::WriteOutcome w;
  {
    py::gil_scoped_release release;
    io::SweepOptions sweep;
    sweep.threads = threads;
    w = io::WriteScenario(h.results, out_dir, sweep, io::PlotOptions{png});
  }
  if (!w.error) {
    if (!w.warnings.empty()) {
      py::module_::import("warnings").attr("warn")(h.results.source_path + ": " + w.warnings[0]);
    }
    return w.dir.string();
  }
  if (w.exit_code == 2) ThrowScenarioError(h.results.source_path + ": " + *w.error);
  throw std::runtime_error(h.results.source_path + ": " + *w.error);
}

// Every point of the scenario's sweep grid, in grid order (the rows of
// sweep.csv): the axis values, status, and every summary column.
py::object SweepColumns(const ScenarioHandle& h, int threads, double max_points) {
  const std::vector<SweepAxis>& axes = h.scenario.sweep;
  if (axes.empty()) return py::none();
  const uint64_t n = SweepGridSize(axes);
  if (static_cast<double>(n) > max_points) {
    ThrowScenarioError(
        fmt::format("{}: the sweep has {} points, more than the {:g} held in memory; write it with "
                    ".write(DIR) (sweep.csv) or pass a larger max_points",
                    h.path, n, max_points));
  }
  const io::ColumnSet& summary_columns = io::DefaultColumns();
  std::vector<Column> cols;
  cols.reserve(axes.size() + 1 + summary_columns.size());
  for (const SweepAxis& a : axes) cols.push_back(Column{a.key, true, std::vector<double>(n), {}});
  cols.push_back(Column{"status", false, {}, std::vector<std::string>(n)});
  for (const io::Column* c : summary_columns) {
    Column col{c->name, c->numeric(), {}, {}};
    if (c->numeric()) {
      col.numbers.assign(n, 0.0);
    } else {
      col.text.assign(n, std::string());
    }
    cols.push_back(std::move(col));
  }
  {
    py::gil_scoped_release release;
    ParallelChunks(PlanChunks(0, n, threads, 64, n, 16), [&](uint64_t b, uint64_t e) {
      SweepEvaluator ev(h.scenario.base, axes);
      SweepPoint p;
      std::vector<size_t> coords(axes.size());
      for (uint64_t i = b; i < e; ++i) {
        ev.Evaluate(i, &p);
        SweepCoordinates(axes, i, coords);
        for (size_t k = 0; k < axes.size(); ++k) cols[k].numbers[i] = axes[k].values[coords[k]];
        cols[axes.size()].text[i] = p.status;
        for (size_t c = 0; c < summary_columns.size(); ++c) {
          Column& col = cols[axes.size() + 1 + c];
          if (p.kind == PointStatus::kInvalid) {
            if (col.numeric) col.numbers[i] = std::numeric_limits<double>::quiet_NaN();
            continue;
          }
          if (col.numeric) {
            col.numbers[i] = CellNumber(*summary_columns[c], p.run, p.summary);
          } else {
            col.text[i] = summary_columns[c]->Cell(p.run, p.summary);
          }
        }
      }
    });
  }
  return ColumnsToDict(cols, {static_cast<py::ssize_t>(n)});
}

// --- evaluate() --------------------------------------------------------------------

// One key set per point: numbers (a float64 array, possibly a broadcast view
// with zero strides) or text (one str per point, already broadcast).
struct PointKey {
  std::string key;
  bool numeric = true;
  KeySetter set;                     // numeric: the key's setter, bound once (when it can be)
  const char* data = nullptr;        // numeric: the array's buffer
  std::vector<py::ssize_t> strides;  // numeric: bytes per step on each axis
  std::vector<std::string> text;     // text: one per point
};

// The grid kernel serves a 2-D open grid of training.epochs × data.unique_tokens
// for the three losses it computes, when the base run is the kernel's case.
constexpr std::string_view kKernelColumns[] = {"loss_repeated", "loss_unique", "delta"};

bool KernelColumn(std::string_view name) {
  return std::find(std::begin(kKernelColumns), std::end(kKernelColumns), name) !=
         std::end(kKernelColumns);
}

// The base run is the case EvaluateEpochsUniqueGrid evaluates (repsim/sweep.h).
bool KernelBase(const RunSpec& spec, const Run& run) {
  return run.law.form == LawForm::kChinchilla && !spec.params_compute_optimal && !spec.mixture &&
         run.sources.size() == 1 && run.sources[0].quality == 1.0 &&
         run.objective == Objective::kCausal &&
         (!run.modifiers.objective_multiplier || *run.modifiers.objective_multiplier == 1.0) &&
         run.modifiers.size_gamma == 0.0 && ClosedFormEvaluator::Applies(run);
}

// Every value is in the range Resolve() accepts, so that each point is "ok".
bool KernelInputsValid(std::span<const double> epochs, std::span<const double> unique) {
  double max_e = 0, max_u = 0, min_e = INFINITY, min_u = INFINITY;
  for (double e : epochs) {
    if (!std::isfinite(e) || !(e > 0) || e > 1e7) return false;  // scenario.cpp's kMaxEpochs
    max_e = std::max(max_e, e);
    min_e = std::min(min_e, e);
  }
  for (double u : unique) {
    if (!std::isfinite(u) || !(u >= kMinQuantity) || u > kMaxQuantity) return false;
    max_u = std::max(max_u, u);
    min_u = std::min(min_u, u);
  }
  // The training tokens, epochs x unique tokens, within [kMinQuantity, kMaxQuantity].
  return max_e * max_u <= kMaxQuantity && min_e * min_u >= kMinQuantity;
}

// Copies the values of a 1-D slice of a broadcast array: along `axis`.
std::vector<double> Slice(const PointKey& k, size_t axis, py::ssize_t n) {
  std::vector<double> v(static_cast<size_t>(n));
  for (py::ssize_t i = 0; i < n; ++i) {
    v[i] = *reinterpret_cast<const double*>(k.data + i * k.strides[axis]);
  }
  return v;
}

py::dict Evaluate(const std::string& toml_text, const std::vector<std::string>& array_keys,
                  const std::vector<py::object>& array_values,
                  const std::vector<py::ssize_t>& shape,
                  const std::optional<std::vector<std::string>>& columns, int threads, bool exact,
                  bool allow_implausible) {
  io::LoadResult loaded =
      io::LoadScenarioText(toml_text, "<repsim.evaluate>", {}, io::LoadOptions{allow_implausible});
  if (!loaded.scenario) ThrowScenarioError(loaded.FormatErrors());
  const RunSpec& base = loaded.scenario->base;
  Expected<Run> base_run = Resolve(base);
  if (!base_run) ThrowScenarioError(base_run.error());

  // The columns asked for, in the registry's order or the caller's.
  const io::ColumnSet& summary_columns = io::DefaultColumns();
  std::vector<int> picked;  // index into summary_columns, -1: status
  if (columns) {
    for (const std::string& name : *columns) {
      if (name == "status") {
        picked.push_back(-1);
        continue;
      }
      int found = -1;
      for (size_t c = 0; c < summary_columns.size(); ++c) {
        if (summary_columns[c]->name == name) found = static_cast<int>(c);
      }
      if (found < 0) {
        std::vector<std::string_view> names{"status"};
        for (const io::Column* c : summary_columns) names.push_back(c->name);
        std::string list;
        for (auto nm : names) list += (list.empty() ? "" : ", ") + std::string(nm);
        ThrowScenarioError(fmt::format("columns: unknown column '{}' (one of: {})", name, list));
      }
      picked.push_back(found);
    }
  } else {
    picked.push_back(-1);
    for (size_t c = 0; c < summary_columns.size(); ++c) picked.push_back(static_cast<int>(c));
  }
  const bool want_status = std::find(picked.begin(), picked.end(), -1) != picked.end();

  uint64_t n = 1;
  for (py::ssize_t s : shape) n *= static_cast<uint64_t>(s);

  std::vector<PointKey> keys(array_keys.size());
  for (size_t k = 0; k < keys.size(); ++k) {
    keys[k].key = array_keys[k];
    if (py::isinstance<py::array>(array_values[k]) &&
        py::array(array_values[k]).dtype().is(py::dtype::of<double>())) {
      py::array a = py::reinterpret_borrow<py::array>(array_values[k]);
      if (a.ndim() != static_cast<py::ssize_t>(shape.size())) {
        throw std::runtime_error("internal: array not broadcast to the result's shape");
      }
      keys[k].numeric = true;
      if (Expected<KeySetter> set = BindNumber(base, array_keys[k])) keys[k].set = *set;
      keys[k].data = static_cast<const char*>(a.data());
      keys[k].strides.assign(a.strides(), a.strides() + a.ndim());
    } else {
      keys[k].numeric = false;
      keys[k].text = py::cast<std::vector<std::string>>(array_values[k]);
      if (keys[k].text.size() != n) throw std::runtime_error("internal: text values not broadcast");
    }
  }

  // The grid kernel: 2-D, epochs along one axis and unique tokens along the other.
  if (!exact && columns && !picked.empty() && !want_status && shape.size() == 2 &&
      keys.size() == 2 && KernelBase(base, *base_run) &&
      std::all_of(columns->begin(), columns->end(), KernelColumn)) {
    const PointKey* ep = nullptr;
    const PointKey* un = nullptr;
    for (const PointKey& k : keys) {
      if (k.numeric && k.key == "training.epochs") ep = &k;
      if (k.numeric && k.key == "data.unique_tokens") un = &k;
    }
    // Which axis each varies along (the other stride 0: a broadcast view).
    int ep_axis = -1, un_axis = -1;
    if (ep && un) {
      if (ep->strides[0] == 0 && un->strides[1] == 0) ep_axis = 1, un_axis = 0;
      if (ep->strides[1] == 0 && un->strides[0] == 0) ep_axis = 0, un_axis = 1;
    }
    if (ep_axis >= 0) {
      const std::vector<double> epochs = Slice(*ep, ep_axis, shape[ep_axis]);
      const std::vector<double> unique = Slice(*un, un_axis, shape[un_axis]);
      if (KernelInputsValid(epochs, unique)) {
        const size_t rows = unique.size(), cols = epochs.size();
        // Outputs allocated by numpy (as numpy allocates its own arrays).
        std::vector<py::array_t<double>> outs;
        for (size_t c = 0; c < 3; ++c) {
          outs.emplace_back(std::vector<py::ssize_t>{static_cast<py::ssize_t>(rows),
                                                     static_cast<py::ssize_t>(cols)});
        }
        double* lr = outs[0].mutable_data();
        double* lu = outs[1].mutable_data();
        double* dl = outs[2].mutable_data();
        MaybeError error;
        {
          py::gil_scoped_release release;
          std::mutex mu;
          ParallelChunks(PlanChunks(0, rows, threads, 1, rows, 8), [&](uint64_t b, uint64_t e) {
            const size_t off = b * cols, len = (e - b) * cols;
            auto err = EvaluateEpochsUniqueGrid(
                base_run->law, base_run->params, epochs,
                std::span<const double>(unique).subspan(b, e - b),
                GridLosses{{lr + off, len}, {lu + off, len}, {dl + off, len}});
            if (err) {
              std::lock_guard lock(mu);
              error = err;
            }
          });
        }
        if (!error) {
          py::dict out;
          for (const std::string& name : *columns) {
            const size_t c = name == "loss_repeated" ? 0 : name == "loss_unique" ? 1 : 2;
            py::array a = outs[c];
            out[py::str(name)] = ep_axis == 1 ? a : py::array(a.attr("T").attr("copy")());
          }
          return out;
        }
      }
    }
  }

  // The general path: every point resolved and evaluated as a sweep point.
  // Every output is allocated before the first point is evaluated: memory
  // that runs out does so here, as a clear error, never mid-way.
  std::vector<Column> out_cols;
  try {
    for (int c : picked) {
      if (c < 0) {
        out_cols.push_back(Column{"status", false, {}, std::vector<std::string>(n)});
      } else if (summary_columns[c]->numeric()) {
        out_cols.push_back(Column{summary_columns[c]->name, true, std::vector<double>(n), {}});
      } else {
        out_cols.push_back(
            Column{summary_columns[c]->name, false, {}, std::vector<std::string>(n)});
      }
    }
  } catch (const std::bad_alloc&) {
    out_cols.clear();
    const std::string message = fmt::format(
        "repsim.evaluate: not enough memory for the {} points' {} columns; split the grid", n,
        picked.size());
    PyErr_SetString(PyExc_MemoryError, message.c_str());
    throw py::error_already_set();
  }
  std::atomic<uint64_t> first_invalid{std::numeric_limits<uint64_t>::max()};
  std::vector<std::string> invalid_message(1);
  std::mutex invalid_mu;
  {
    py::gil_scoped_release release;
    ParallelChunks(PlanChunks(0, n, threads, 16, n, 16), [&](uint64_t b, uint64_t e) {
      RunSpec spec;
      ClosedFormEvaluator closed_form;
      SweepPoint p;
      std::vector<size_t> idx(shape.size());
      for (uint64_t i = b; i < e; ++i) {
        spec = base;
        // The multi-index of point i (row-major).
        uint64_t rest = i;
        for (size_t d = shape.size(); d-- > 0;) {
          idx[d] = static_cast<size_t>(rest % static_cast<uint64_t>(shape[d]));
          rest /= static_cast<uint64_t>(shape[d]);
        }
        MaybeError err;
        for (const PointKey& k : keys) {
          if (k.numeric) {
            py::ssize_t off = 0;
            for (size_t d = 0; d < idx.size(); ++d)
              off += static_cast<py::ssize_t>(idx[d]) * k.strides[d];
            const double v = *reinterpret_cast<const double*>(k.data + off);
            // Unbound: SetNumber says what is wrong with the key.
            err = k.set ? k.set(spec, v) : SetNumber(spec, k.key, v);
          } else {
            err = SetChoice(spec, k.key, k.text[i]);
          }
          if (err) break;
        }
        if (err) {
          p.kind = PointStatus::kInvalid;
          p.status = "invalid: " + *err;
        } else {
          EvaluatePoint(spec, &closed_form, &p);
        }
        if (p.kind == PointStatus::kInvalid && i < first_invalid.load()) {
          std::lock_guard lock(invalid_mu);
          if (i < first_invalid.load()) {
            first_invalid = i;
            invalid_message[0] = p.status;
          }
        }
        for (size_t c = 0; c < out_cols.size(); ++c) {
          Column& col = out_cols[c];
          if (picked[c] < 0) {
            col.text[i] = p.status;
            continue;
          }
          if (p.kind == PointStatus::kInvalid) {
            if (col.numeric) col.numbers[i] = std::numeric_limits<double>::quiet_NaN();
            continue;
          }
          if (col.numeric) {
            col.numbers[i] = CellNumber(*summary_columns[picked[c]], p.run, p.summary);
          } else {
            col.text[i] = summary_columns[picked[c]]->Cell(p.run, p.summary);
          }
        }
      }
    });
  }
  if (!want_status && first_invalid.load() != std::numeric_limits<uint64_t>::max()) {
    // NaN with no status to explain it would be silent: say which point.
    uint64_t rest = first_invalid.load();
    std::vector<uint64_t> idx(shape.size());
    for (size_t d = shape.size(); d-- > 0;) {
      idx[d] = rest % static_cast<uint64_t>(shape[d]);
      rest /= static_cast<uint64_t>(shape[d]);
    }
    std::string where;
    for (uint64_t v : idx) where += (where.empty() ? "" : ", ") + std::to_string(v);
    ThrowScenarioError(
        fmt::format("repsim.evaluate: point ({}) is {} (ask for the 'status' column "
                    "to get NaN and a status per point instead)",
                    where, invalid_message[0]));
  }
  return ColumnsToDict(out_cols, shape);
}

// Bytes one point of Evaluate's general path holds at its peak, for the
// columns asked for (all when none): a numeric column is a double here and
// again in the numpy result; a text column (and "status") a std::string
// here (32 bytes and its heap text, ~48) and a Python str in the result
// (~80). Python checks points * this before any allocation (issue 22).
size_t PointBytes(const std::optional<std::vector<std::string>>& columns) {
  constexpr size_t kNumber = 16, kText = 160;
  const io::ColumnSet& all = io::DefaultColumns();
  if (!columns) {
    size_t bytes = kText;  // status
    for (const io::Column* c : all) bytes += c->numeric() ? kNumber : kText;
    return bytes;
  }
  size_t bytes = 0;
  for (const std::string& name : *columns) {
    bool numeric = false;
    for (const io::Column* c : all) numeric = numeric || (c->name == name && c->numeric());
    bytes += numeric ? kNumber : kText;
  }
  return bytes;
}

// The summary.json of one run (no arrays): exactly what `repsim run` writes.
std::string EvaluateOne(const std::string& toml_text, bool allow_implausible) {
  io::LoadResult loaded =
      io::LoadScenarioText(toml_text, "<repsim.evaluate>", {}, io::LoadOptions{allow_implausible});
  if (!loaded.scenario) ThrowScenarioError(loaded.FormatErrors());
  Expected<Run> run = Resolve(loaded.scenario->base);
  if (!run) ThrowScenarioError(run.error());
  ScenarioResults r;
  r.scenario = *loaded.scenario;
  r.run = *run;
  {
    py::gil_scoped_release release;
    r.summary = repsim::Evaluate(r.run);
    r.caveats = ScenarioCaveats(r);  // the assumption lines `repsim run` prints
  }
  return io::SummaryJson(r);
}

// --- Keys, laws ---------------------------------------------------------------------

py::list Keys() {
  py::list out;
  for (const KeyInfo& k : SettableKeys()) {
    const char* kind = k.kind == KeyKind::kNumber     ? "number"
                       : k.kind == KeyKind::kQuantity ? "quantity"
                                                      : "choice";
    const std::vector<std::string> choices(k.choices.begin(), k.choices.end());
    out.append(py::make_tuple(std::string(k.path), kind, choices, std::string(k.help)));
  }
  return out;
}

py::list Laws() {
  py::list out;
  for (LawPreset p : AllLawPresets()) {
    const Law l = MakeLaw(p);
    py::dict d;
    d["preset"] = std::string(ToString(p));
    d["form"] = l.form == LawForm::kChinchilla ? "chinchilla" : "kaplan";
    // Every law constant (LawConstants(), the one list); NaN for a constant
    // the preset does not have (as the empty law_* cells of the CLI).
    for (const LawConstant& c : LawConstants()) {
      d[py::str(std::string(c.name))] =
          HasConstant(l, c) ? l.*c.field : std::numeric_limits<double>::quiet_NaN();
    }
    d["source"] = std::string(LawSource(p));
    out.append(d);
  }
  return out;
}

Law LawByName(const std::string& name) {
  auto p = LawPresetFromString(name);
  if (!p) {
    std::string list;
    for (LawPreset q : AllLawPresets())
      list += (list.empty() ? "" : ", ") + std::string(ToString(q));
    ThrowScenarioError(fmt::format("law = '{}': unknown preset (one of: {})", name, list));
  }
  return MakeLaw(*p);
}

// --- Fitting -------------------------------------------------------------------------

// A value tree (io/value.h) as Python objects: None, bool, int, float, str, list,
// dict (keys in the tree's order).
py::object ToPython(const io::Value& value) {
  struct Convert {
    py::object operator()(std::nullptr_t) const { return py::none(); }
    py::object operator()(bool x) const { return py::bool_(x); }
    py::object operator()(int64_t x) const { return py::int_(x); }
    py::object operator()(uint64_t x) const { return py::int_(x); }
    py::object operator()(double x) const { return py::float_(x); }
    py::object operator()(float x) const { return py::float_(static_cast<double>(x)); }
    py::object operator()(const std::string& s) const { return py::str(s); }
    py::object operator()(const io::Value::List& l) const {
      py::list out;
      for (const io::Value& v : l) out.append(ToPython(v));
      return out;
    }
    py::object operator()(const io::Value::Object& o) const {
      py::dict out;
      for (const io::Member& m : o) out[py::str(m.key)] = ToPython(m.value);
      return out;
    }
  };
  return std::visit(Convert{}, value.v);
}

// A field's value (io/fields.h) as a Python object: str, int or float (NaN
// for an optional number without a value).
template <typename T>
py::object FieldValue(const io::Field<T>& f, const T& v) {
  switch (f.kind) {
    case io::FieldKind::kText:
      return py::str(f.text(v));
    case io::FieldKind::kInteger:
      return py::int_(static_cast<int64_t>(f.number(v)));
    case io::FieldKind::kValue:
      return ToPython(f.value(v));
    case io::FieldKind::kBool:
      return py::bool_(f.number(v) != 0);
    default:
      return py::float_(f.number(v));
  }
}

// The fields of `v` added to `d`, in the table's order.
template <typename T>
void AddFields(py::dict& d, io::FieldTable<T> fields, const T& v) {
  for (const io::Field<T>& f : fields) d[py::str(std::string(f.name))] = FieldValue(f, v);
}

template <typename T>
py::dict FieldsDict(io::FieldTable<T> fields, const T& v) {
  py::dict d;
  AddFields(d, fields, v);
  return d;
}

// Rows as columns: {field name: [one value per row]}, in the table's order.
template <typename T>
py::dict FieldColumns(io::FieldTable<T> fields, const std::vector<T>& rows) {
  py::dict d;
  for (const io::Field<T>& f : fields) {
    py::list column;
    for (const T& r : rows) column.append(FieldValue(f, r));
    d[py::str(std::string(f.name))] = column;
  }
  return d;
}

// The names of the field tables the dicts are made from, for the tests that
// check them (python/tests/test_api.py).
py::dict FieldTableNames() {
  auto names = [](const auto& fields) {
    py::list l;
    for (const auto& f : fields) l.append(std::string(f.name));
    return l;
  };
  py::dict d;
  d["fit"] = names(io::FitReportFields());
  d["domain"] = names(io::LawDomainFields());
  d["spread"] = names(io::ParamSpreadFields());
  d["plan_point"] = names(io::PlanPointFields());
  d["scale_row"] = names(io::ScaleRowFields());
  d["plan_table_row"] = names(io::PlanTableRowFields());
  d["validation_row"] = names(io::ValidationRowFields());
  d["allocation_row"] = names(io::AllocationRowFields());
  return d;
}

py::dict Fit(const std::optional<std::string>& path, std::vector<double> params,
             std::vector<double> tokens, std::vector<double> unique_tokens,
             std::vector<double> loss, const std::string& form,
             const std::vector<std::pair<std::string, double>>& fixed, double huber_delta,
             int drop_highest, std::optional<int> starts, int bootstrap, uint64_t seed, int threads,
             const std::optional<std::string>& fix_preset) {
  FitOptions options;
  auto f = FitFormFromString(form);
  if (!f) ThrowScenarioError(fmt::format("form = '{}': one of chinchilla, data-constrained", form));
  options.form = *f;
  options.huber_delta = huber_delta;
  options.max_starts = starts;
  options.threads = threads;
  // Names here; form membership and values are Validate(options)'s one check.
  for (const auto& [name, value] : fixed) {
    auto p = FitParamFromString(name);
    if (!p) {
      ThrowScenarioError(fmt::format("fix: unknown constant '{}' (one of: {})", name,
                                     fmt::join(FitParamNames(), ", ")));
    }
    options.fixed[static_cast<int>(*p)] = value;
  }
  if (auto e = Validate(options)) ThrowScenarioError(*e);

  std::vector<FitRun> runs;
  const bool need_u = options.form == FitForm::kDataConstrained;
  if (path) {
    Expected<std::vector<FitRun>> r = io::ReadRunsCsv(*path, need_u);
    if (!r) ThrowScenarioError(r.error());
    runs = std::move(r).value();
  } else {
    const size_t n = params.size();
    if (tokens.size() != n || loss.size() != n || (need_u && unique_tokens.size() != n)) {
      ThrowScenarioError(
          "data: the columns params, tokens, loss (and unique_tokens) must have "
          "the same length");
    }
    for (size_t i = 0; i < n; ++i) {
      // No unique tokens (0) for the Chinchilla form, as io::ReadRunsCsv: the
      // domain then counts each run's tokens as unique (1 epoch).
      FitRun run{params[i], tokens[i], need_u ? unique_tokens[i] : 0.0, loss[i]};
      for (auto [name, v] : {std::pair{"params", run.params}, std::pair{"tokens", run.tokens},
                             std::pair{"unique_tokens", need_u ? run.unique_tokens : 1.0},
                             std::pair{"loss", run.loss}}) {
        if (!std::isfinite(v) || !(v > 0)) {
          ThrowScenarioError(
              fmt::format("data: row {}: {} = {}: must be finite and > 0", i, name, v));
        }
      }
      runs.push_back(run);
    }
  }
  if (drop_highest < 0 || static_cast<size_t>(drop_highest) >= runs.size()) {
    ThrowScenarioError(fmt::format("drop_highest = {}: must be from 0 to {} (the runs less one)",
                                   drop_highest, runs.size() == 0 ? 0 : runs.size() - 1));
  }
  const int runs_read = static_cast<int>(runs.size());
  if (drop_highest > 0) runs = DropHighestLosses(runs, drop_highest);

  Expected<FitResult> result = Error{""};
  std::optional<Expected<BootstrapResult>> boot;
  {
    py::gil_scoped_release release;
    result = repsim::Fit(runs, options);
    if (result && bootstrap > 0) boot = Bootstrap(runs, options, *result, bootstrap, seed);
  }
  if (!result) ThrowScenarioError(result.error());
  if (boot && !*boot) ThrowScenarioError(boot->error());

  io::FitReport report;
  report.made_by = fmt::format("repsim.fit(form='{}')", form);
  if (path) report.file = *path;
  report.runs_read = runs_read;
  report.dropped_highest = drop_highest;
  report.options = options;
  report.fix_preset = fix_preset;
  if (fix_preset) report.fix_preset_given_as = fmt::format("fix='{}'", *fix_preset);
  report.fit = std::move(*result);
  if (boot) {
    report.boot = std::move(**boot);
    const auto& bw = report.boot->warnings;
    report.fit.warnings.insert(report.fit.warnings.end(), bw.begin(), bw.end());
  }
  report.domain = DomainOfRuns(runs);  // the fit's domain of validity

  // The report's table (io::FitReportFields), as `repsim fit --format json`
  // writes it; then what only Python has: the [law] TOML of
  // `repsim fit --format toml`, and with a bootstrap its resamples' constants.
  py::dict out = ToPython(io::FitReportValue(report)).cast<py::dict>();
  out["law_toml"] = io::FitReportToml(report);
  if (report.boot) {
    const BootstrapResult& b = *report.boot;
    py::dict bd = out["bootstrap"].cast<py::dict>();
    // The spreads again, grouped (the dict's layout before the fit report).
    py::dict spreads;
    for (FitParam p : FitParams(report.fit.form)) {
      const std::string name(ToString(p));
      spreads[py::str(name)] = bd[py::str(name)];
    }
    spreads["exponent_a"] = bd["exponent_a"];
    spreads["exponent_b"] = bd["exponent_b"];
    bd["params"] = spreads;
    py::dict samples;
    for (FitParam p : FitParams(report.fit.form)) {
      std::vector<double> v;
      for (const FitConstants& c : b.samples) v.push_back(Get(c, p));
      samples[py::str(std::string(ToString(p)))] =
          ToArray(std::move(v), {static_cast<py::ssize_t>(b.samples.size())});
    }
    bd["samples"] = samples;
  }
  return out;
}

// --- Planners --------------------------------------------------------------------------

py::list PlanTable(const std::vector<double>& params, const std::optional<std::string>& law) {
  for (double p : params) {
    if (!std::isfinite(p) || !(p > 0)) {
      ThrowScenarioError(fmt::format("params = {}: must be finite and > 0", p));
    }
  }
  std::vector<double> ps = params;
  if (ps.empty()) {
    for (const ChinchillaTableRow& r : ChinchillaTable3()) ps.push_back(r.params);
  }
  Expected<std::vector<PlanTableRow>> rows =
      law ? ComputeOptimalTable(LawByName(*law), ps) : ComputeOptimalTable(ps);
  if (!rows) ThrowScenarioError(rows.error());
  py::list out;  // `plan table`'s rows, every field of io::PlanTableRowFields
  for (const PlanTableRow& r : *rows) out.append(FieldsDict(io::PlanTableRowFields(), r));
  return out;
}

// `plan scale`'s rows (io::ScaleRowFields), one dict each: the law's (the
// default law without one) or, with compare, every relation as --compare.
py::list PlanScale(double factor, const std::optional<std::string>& law, bool compare) {
  const std::vector<ScaleRelation> relations =
      compare ? AllScaleRelations()
              : std::vector<ScaleRelation>{
                    ScaleRelationOf(law ? LawByName(*law) : MakeLaw(kDefaultLawPreset))};
  py::list out;
  for (const ScaleRelation& relation : relations) {
    Expected<ScaleRow> row = ScaleBy(relation, factor);
    if (!row) ThrowScenarioError(row.error());
    out.append(FieldsDict(io::ScaleRowFields(), *row));
  }
  return out;
}

py::dict PointDict(const PlanPoint& p) { return FieldsDict(io::PlanPointFields(), p); }

// law_name: a preset, or nothing for the default law (kDefaultLawPreset).
py::dict PlanAllocate(const std::string& what, double value, double unique_tokens,
                      const std::optional<std::string>& law_name, double weight_decay) {
  Law law = law_name ? LawByName(*law_name) : MakeLaw(kDefaultLawPreset);
  if (!std::isfinite(weight_decay) || weight_decay < 0 || weight_decay > kMaxWeightDecay) {
    ThrowScenarioError(
        fmt::format("weight_decay = {}: must be in [0, {:g}]", weight_decay, kMaxWeightDecay));
  }
  // weight_decay.h's factor at the assumed shape and the measured point.
  law.overfit_scale =
      WeightDecayOverfitFactor(weight_decay, kDefaultWeightDecayShape, kDefaultWeightDecayFactor);
  Expected<DataConstrainedPlan> plan = Error{""};
  {
    py::gil_scoped_release release;
    plan = what == "compute"  ? AllocateCompute(law, value, unique_tokens)
           : what == "params" ? BestTokensForParams(law, value, unique_tokens)
                              : BestParamsForTokens(law, value, unique_tokens);
  }
  if (!plan) ThrowScenarioError(plan.error());
  py::dict d;
  d["law"] = std::string(ToString(law.preset));
  d["optimum"] = PointDict(plan->optimum);
  d["compute_optimal"] = PointDict(plan->compute_optimal);
  d["loss_floor"] = plan->loss_floor;
  // The budget asked for and what the best plan within it leaves unused (plan.h).
  d["budget"] = plan->budget;
  d["unused_flops"] = plan->unused_flops;
  d["unused_because"] = plan->limit == BudgetLimit::kLossRises     ? "loss_rises"
                        : plan->limit == BudgetLimit::kImplausible ? "implausible"
                                                                   : "";
  d["weight_decay"] = weight_decay;
  return d;
}

py::dict PlanKaplan(const std::optional<double>& loss, const std::optional<double>& params,
                    const std::optional<double>& flops, const std::optional<double>& steps) {
  auto positive = [](const char* name, const std::optional<double>& v) {
    if (v && (!std::isfinite(*v) || !(*v > 0))) {
      ThrowScenarioError(fmt::format("{} = {}: must be finite and > 0", name, *v));
    }
  };
  positive("loss", loss);
  positive("params", params);
  positive("compute", flops);
  positive("steps", steps);
  py::dict d;
  if (loss) {
    d["critical_batch_tokens"] = KaplanCriticalBatch(*loss);
    d["params_for_loss"] = KaplanParamsForLoss(*loss);
    d["tokens_for_loss"] = KaplanTokensForLoss(*loss);
    d["compute_for_loss"] = KaplanComputeForLoss(*loss);
  }
  if (params) {
    d["loss_for_params"] = KaplanLossForParams(*params);
    d["tokens_to_avoid_overfitting"] = KaplanTokensToAvoidOverfitting(*params);
    if (steps) d["loss_for_params_steps"] = KaplanLossForParamsSteps(*params, *steps);
  }
  if (flops) d["loss_for_compute"] = KaplanLossForCompute(*flops);
  return d;
}

// --- Validation (`repsim validate`) -------------------------------------------------------

py::dict ValidateRuns(const std::string& text, bool is_path, const std::vector<std::string>& groups,
                      const std::vector<std::string>& laws, const std::vector<std::string>& forms,
                      const std::vector<std::string>& folds, uint64_t seed, int threads,
                      const std::string& metric, double pair_weight, double rd_star,
                      double huber_delta) {
  if (!std::isfinite(huber_delta) || huber_delta <= 0 || huber_delta > kMaxHuberDelta) {
    ThrowScenarioError(
        fmt::format("huber_delta = {}: must be a number > 0 and <= 10", huber_delta));
  }
  if (!std::isfinite(rd_star) || rd_star < 0 || rd_star > kMaxDecayScale) {
    ThrowScenarioError(fmt::format("rd_star = {}: must be 0 (fitted) or in (0, 1e12]", rd_star));
  }
  if (!std::isfinite(pair_weight) || pair_weight < 0 || pair_weight > kMaxPairWeight) {
    ThrowScenarioError(
        fmt::format("pair_weight = {}: must be a number from 0 to 1e6", pair_weight));
  }
  std::vector<Candidate> candidates;
  for (const std::string& l : laws) {
    std::optional<Candidate> c = CandidateForPreset(l);
    if (!c) ThrowScenarioError(fmt::format("law = '{}': not a preset validate can judge", l));
    candidates.push_back(*c);
  }
  for (const std::string& f : forms) {
    std::optional<Candidate> c = CandidateForForm(f);
    if (!c) {
      std::string list;
      for (auto n : ValidateFormNames()) list += (list.empty() ? "" : ", ") + std::string(n);
      ThrowScenarioError(fmt::format("form = '{}': unknown form (one of: {})", f, list));
    }
    candidates.push_back(*c);
  }
  if (candidates.empty()) candidates = DefaultCandidates();  // as `repsim validate`
  for (Candidate& c : candidates) {
    c.ratio.pair_weight = pair_weight;
    c.ratio.rd_star = rd_star;
    c.ratio.huber_delta = huber_delta;
  }
  if (metric != "penalty" && metric != "allocation") {
    ThrowScenarioError(fmt::format("metric = '{}': one of penalty, allocation", metric));
  }
  const bool allocation = metric == "allocation";
  if (allocation && !folds.empty()) {
    ThrowScenarioError(
        "folds: for metric='penalty' only; metric='allocation' is cross-validated by leaving "
        "out each group in turn (cv:allocation)");
  }
  // Cross-validated evaluations first, in-sample last (as the CLI).
  std::vector<std::optional<FoldSpec>> evaluations;
  for (const std::string& name : folds) {
    Expected<FoldSpec> spec = ParseFoldSpec(name, seed);
    if (!spec) ThrowScenarioError("folds = " + spec.error());
    evaluations.push_back(*spec);
  }
  evaluations.push_back(std::nullopt);
  Expected<std::vector<MeasuredRun>> runs = is_path
                                                ? io::ReadMeasuredRunsCsv(text, groups)
                                                : io::ParseMeasuredRunsCsv(text, "<data>", groups);
  if (!runs) ThrowScenarioError(runs.error());
  const std::vector<PenaltyPair> pairs = FormPairs(*runs);
  if (pairs.empty() && !allocation) {  // allocation needs pairs only to fit forms
    ThrowScenarioError(
        "data: no repeated-vs-fresh pairs (a pair needs a run with unique_tokens < "
        "tokens and one with unique_tokens >= tokens at the same params and tokens)");
  }
  const std::vector<AllocationGroup> alloc_groups =
      allocation ? FormAllocationGroups(*runs) : std::vector<AllocationGroup>{};
  if (allocation && alloc_groups.empty()) {
    ThrowScenarioError(fmt::format(
        "data: no allocation groups (a group needs >= {} distinct params at equal unique_tokens "
        "with compute 6 N D within {:g} % of the group's median and a best loss below {:g} nats)",
        kAllocationMinSizes, 100 * kAllocationComputeTolerance, kAllocationMaxBestLoss));
  }
  std::vector<ValidationRow> rows;
  std::vector<AllocationRow> arows;
  std::optional<Error> error;
  {
    py::gil_scoped_release release;
    if (allocation) {
      for (bool cv : {true, false}) {
        for (const Candidate& c : candidates) {
          Expected<AllocationRow> row =
              ValidateAllocation(*runs, pairs, alloc_groups, c, cv, threads);
          if (!row) {
            error = Error{row.error(), row.error_key()};
            break;
          }
          arows.push_back(std::move(*row));
        }
        if (error) break;
      }
    } else {
      for (const auto& eval : evaluations) {
        for (const Candidate& c : candidates) {
          Expected<ValidationRow> row = ValidateCandidate(pairs, c, eval, threads, {}, *runs);
          if (!row) {
            error = Error{row.error(), row.error_key()};
            break;
          }
          rows.push_back(std::move(*row));
        }
        if (error) break;
      }
    }
  }
  if (error) {
    if (error->key == kDataErrorKey) ThrowScenarioError("data: too little data: " + error->message);
    throw std::runtime_error("validate: fit failed: " + error->message);
  }
  py::list notes;
  for (const ValidationRow& r : rows) {
    for (const std::string& n : r.notes) notes.append(r.candidate + " " + n);
  }
  for (const AllocationRow& r : arows) {
    for (const std::string& n : r.notes) notes.append(r.candidate + " " + n);
  }
  // The columns of `repsim validate`'s table (less its rank), from the row's field table.
  const py::dict out = allocation ? FieldColumns(io::AllocationRowFields(), arows)
                                  : FieldColumns(io::ValidationRowFields(), rows);
  py::dict result;
  result["table"] = out;
  result["notes"] = notes;
  return result;
}
}  // namespace
}  // namespace repsim::python

PYBIND11_MODULE(_repsim, m) {
  using namespace repsim::python;
  m.doc() = "repsim's C++ core (use the `repsim` package, not this module)";
  m.attr("__version__") = REPSIM_VERSION;
  py::object value_error = py::reinterpret_borrow<py::object>(PyExc_ValueError);
  ScenarioErrorType() = py::reinterpret_steal<py::object>(
      PyErr_NewExceptionWithDoc("repsim.ScenarioError",
                                "Bad input: the message is repsim's diagnostic (file:line:col, "
                                "key, value, what is allowed).",
                                value_error.ptr(), nullptr));
  m.attr("ScenarioError") = ScenarioErrorType();

  py::class_<ScenarioHandle>(m, "_Scenario")
      .def_property_readonly("name", [](const ScenarioHandle& h) { return h.scenario.name; })
      .def_property_readonly("description",
                             [](const ScenarioHandle& h) { return h.scenario.description; })
      .def_property_readonly("path", [](const ScenarioHandle& h) { return h.path; })
      .def_property_readonly("text", [](const ScenarioHandle& h) { return h.text; })
      .def_property_readonly(
          "sweep_points",
          [](const ScenarioHandle& h) {
            return h.scenario.sweep.empty() ? uint64_t{0} : repsim::SweepGridSize(h.scenario.sweep);
          })
      .def("run", &RunScenario)
      .def("sweep", &SweepColumns, py::arg("threads"), py::arg("max_points"));
  py::class_<ResultsHandle>(m, "_Results")
      .def("texts", &ResultsTexts)
      .def("write", &WriteResults, py::arg("out_dir"), py::arg("threads"), py::arg("png"));

  // Docstrings: pybind11 prepends each signature (argument names from
  // py::arg), so help() and notebooks show how to call them.
  m.def("load_file", &LoadFile, py::arg("path"), py::arg("allow_implausible") = false,
        "Loads and validates a scenario file (repsim.Scenario.from_file).");
  m.def("load_text", &LoadText, py::arg("text"), py::arg("path"),
        py::arg("allow_implausible") = false,
        "Loads and validates scenario TOML text; `path` names it in messages.");
  m.def("evaluate", &Evaluate, py::arg("toml"), py::arg("keys"), py::arg("values"),
        py::arg("shape"), py::arg("columns"), py::arg("threads"), py::arg("exact"),
        py::arg("allow_implausible") = false,
        "The broadcast grid of repsim.evaluate: `keys` set to `values` (arrays of `shape`) "
        "on the scenario `toml`; a dict of summary columns.");
  m.def("evaluate_one", &EvaluateOne, py::arg("toml"), py::arg("allow_implausible") = false,
        "summary.json (text) of the scenario `toml`'s base run, as `repsim run` writes it.");
  m.def("point_bytes", &PointBytes, py::arg("columns"),
        "Bytes a point of repsim.evaluate's grid takes with these columns.");
  m.def("keys", &Keys, "Every settable scenario key: (path, kind, choices, help) tuples.");
  m.def("field_names", &FieldTableNames,
        "The names of the result field tables the dicts of fit, plan and validate follow.");
  m.def("laws", &Laws, "The law presets with their constants and sources, one dict each.");
  m.def("fit", &Fit, py::arg("path"), py::arg("params"), py::arg("tokens"),
        py::arg("unique_tokens"), py::arg("loss"), py::arg("form"), py::arg("fixed"),
        py::arg("huber_delta"), py::arg("drop_highest"), py::arg("starts"), py::arg("bootstrap"),
        py::arg("seed"), py::arg("threads"), py::arg("fix_preset") = py::none(),
        "The fit of repsim.fit, as `repsim fit` does it: the dict of `repsim fit --format "
        "json` (io::FitReportFields), plus law_toml and the bootstrap's samples.");
  m.def("validate", &ValidateRuns, py::arg("text"), py::arg("is_path"), py::arg("groups"),
        py::arg("laws"), py::arg("forms"), py::arg("folds"), py::arg("seed"), py::arg("threads"),
        py::arg("metric"), py::arg("pair_weight"), py::arg("rd_star"), py::arg("huber_delta"),
        "The penalty scorecard of repsim.validate, as `repsim validate` computes it.");
  m.def("plan_table", &PlanTable, py::arg("params"), py::arg("law"),
        "Compute-optimal tokens and FLOPs per model size (repsim.plan.table).");
  m.def("plan_scale", &PlanScale, py::arg("factor"), py::arg("law"), py::arg("compare") = false,
        "How N and D grow with compute (repsim.plan.scale): `plan scale`'s rows.");
  m.def("plan_allocate", &PlanAllocate, py::arg("what"), py::arg("value"), py::arg("unique_tokens"),
        py::arg("law"), py::arg("weight_decay") = repsim::kDefaultWeightDecay,
        "The data-constrained optimum within the budget (repsim.plan.allocate).");
  m.def("plan_kaplan", &PlanKaplan, py::arg("loss"), py::arg("params"), py::arg("compute"),
        py::arg("steps"), "Kaplan et al. 2020's planners (repsim.plan.kaplan).");
}
