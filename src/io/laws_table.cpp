#include "io/laws_table.h"

#include <fmt/format.h>

#include <cmath>
#include <string>
#include <string_view>

#include "repsim/law.h"

namespace repsim::io {

Table LawsTable() {
  Table t;
  for (auto c : {"preset",
                 "form",
                 "E",
                 "A",
                 "B",
                 "alpha",
                 "beta",
                 "alpha_n",
                 "n_c",
                 "alpha_d",
                 "d_c",
                 "rd_star",
                 "rn_star",
                 "source",
                 "fitted_params",
                 "fitted_tokens",
                 "fitted_unique_tokens",
                 "fitted_epochs",
                 "fitted_params_per_unique_token",
                 "fitted_on"}) {
    const std::string_view n = c;
    t.AddColumn(c, n != "preset" && n != "form" && n != "source" && n.rfind("fitted_", 0) != 0);
  }
  // A range of the fit data (the domain of validity) as "lo..hi"; an open end is "-".
  auto range = [](double lo, double hi) {
    auto end = [](double x) {
      return std::isfinite(x) && x > 0 ? fmt::format("{:.4g}", x) : std::string("-");
    };
    return fmt::format("{}..{}", end(lo), end(hi));
  };
  for (LawPreset p : AllLawPresets()) {
    const Law l = MakeLaw(p);
    const bool ch = l.form == LawForm::kChinchilla;
    const LawDomain& dom = FittedDomain(p);
    auto v = [&](double x, bool show) { return show ? Num(x) : std::string(); };
    t.AddRow({std::string(ToString(p)),
              ch ? "E + A/N^alpha + B/D^beta" : "[(n_c/N)^(alpha_n/alpha_d) + d_c/D]^alpha_d",
              v(l.e, ch),
              v(l.a, ch),
              v(l.b, ch),
              v(l.alpha, ch),
              v(l.beta, ch),
              v(l.alpha_n, !ch),
              v(l.n_c, !ch),
              v(l.alpha_d, !ch),
              v(l.d_c, !ch),
              Num(l.rd_star),
              Num(l.rn_star),
              std::string(LawSource(p)),
              range(dom.params_min, dom.params_max),
              range(dom.tokens_min, dom.tokens_max),
              range(dom.unique_tokens_min, dom.unique_tokens_max),
              range(dom.epochs_min, dom.epochs_max),
              range(0, dom.params_per_unique_token_max),
              std::string(dom.fitted_on)});
  }
  return t;
}

}  // namespace repsim::io
