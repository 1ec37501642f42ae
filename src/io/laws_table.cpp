#include "io/laws_table.h"

#include <fmt/format.h>

#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "repsim/law.h"

namespace repsim::io {

Table LawsTable() {
  Table t;
  t.AddColumn("preset", false);
  t.AddColumn("form", false);
  // Every law constant (LawConstants(), the one list); empty for a preset
  // that does not have it.
  for (const LawConstant& c : LawConstants()) t.AddColumn(std::string(c.name), true);
  for (auto c : {"source", "fitted_params", "fitted_tokens", "fitted_unique_tokens",
                 "fitted_epochs", "fitted_params_per_unique_token", "fitted_on"}) {
    t.AddColumn(c, false);
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
    std::vector<std::string> row = {
        std::string(ToString(p)),
        ch ? "E + A/N^alpha + B/D^beta" : "[(n_c/N)^(alpha_n/alpha_d) + d_c/D]^alpha_d"};
    for (const LawConstant& c : LawConstants()) {
      row.push_back(HasConstant(l, c) ? Num(l.*c.field) : std::string());
    }
    row.insert(row.end(), {std::string(LawSource(p)), range(dom.params_min, dom.params_max),
                           range(dom.tokens_min, dom.tokens_max),
                           range(dom.unique_tokens_min, dom.unique_tokens_max),
                           range(dom.epochs_min, dom.epochs_max),
                           range(0, dom.params_per_unique_token_max), std::string(dom.fitted_on)});
    t.AddRow(std::move(row));
  }
  return t;
}

}  // namespace repsim::io
