#include "io/laws_table.h"

#include <string>
#include <string_view>

#include "repsim/law.h"

namespace repsim::io {

Table LawsTable() {
  Table t;
  for (auto c : {"preset", "form", "E", "A", "B", "alpha", "beta", "alpha_n", "n_c", "alpha_d",
                 "d_c", "rd_star", "rn_star", "source"}) {
    const std::string_view n = c;
    t.AddColumn(c, n != "preset" && n != "form" && n != "source");
  }
  for (LawPreset p : AllLawPresets()) {
    const Law l = MakeLaw(p);
    const bool ch = l.form == LawForm::kChinchilla;
    auto v = [&](double x, bool show) { return show ? Num(x) : std::string(); };
    t.AddRow({std::string(ToString(p)),
              ch ? "E + A/N^alpha + B/D^beta" : "[(n_c/N)^(alpha_n/alpha_d) + d_c/D]^alpha_d",
              v(l.e, ch), v(l.a, ch), v(l.b, ch), v(l.alpha, ch), v(l.beta, ch), v(l.alpha_n, !ch),
              v(l.n_c, !ch), v(l.alpha_d, !ch), v(l.d_c, !ch), Num(l.rd_star), Num(l.rn_star),
              std::string(LawSource(p))});
  }
  return t;
}

}  // namespace repsim::io
