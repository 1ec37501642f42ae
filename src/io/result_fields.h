// The field tables (fields.h) of core's results: what `fit`, `plan allocate`
// and `validate` write, and the Python module returns, named once here.
// Each table lists the fields in output order; the writers (cmd_fit.cpp,
// cmd_fit_overfit.cpp, plan_allocate.cpp, cmd_validate.cpp, python/_repsim.cpp)
// iterate it. tests/test_result_fields.cpp checks that every output writes
// exactly these names.
#pragma once

#include "io/fields.h"
#include "repsim/fit.h"
#include "repsim/law.h"
#include "repsim/plan.h"
#include "repsim/validate.h"

namespace repsim::io {

// A fit's domain of validity (the fitted runs' ranges): fit JSON's "domain",
// Python's fit()["domain"]. (The fit's whole report: fit_report.h.)
FieldTable<LawDomain> LawDomainFields();
// A bootstrap spread of one constant: fit JSON's bootstrap entries, Python's
// bootstrap["params"] entries; the table columns (std_error, ci95_low,
// ci95_high) of `fit`'s text and CSV.
FieldTable<ParamSpread> ParamSpreadFields();
// A plan point: `plan allocate`'s columns (text, CSV, JSON) and Python's
// plan dicts.
FieldTable<PlanPoint> PlanPointFields();
// A row of `plan table`: its columns (text, CSV, JSON, Markdown; the
// optional published_* and *_off_pct ones only when some row is published)
// and Python's plan.table() columns (every field, `fitted` included).
FieldTable<PlanTableRow> PlanTableRowFields();
// A row of `plan scale` (a relation and a compute factor): its columns
// (text, CSV, JSON, Markdown) and Python's plan.scale() dicts.
FieldTable<ScaleRow> ScaleRowFields();
// One row of `validate` (penalty check) and of `validate --check allocation`:
// their tables (text, CSV, JSON, Markdown; a rank column after evaluation)
// and Python's validate()["table"].
FieldTable<ValidationRow> ValidationRowFields();
FieldTable<AllocationRow> AllocationRowFields();

}  // namespace repsim::io
