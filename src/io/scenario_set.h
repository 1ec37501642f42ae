// `repsim run --set KEY=VALUE`: assignments applied to a scenario's TOML
// before it is validated, so that a value set on the command line is checked
// exactly like one in the file (SCENARIO.md "Setting keys from the command
// line").
#pragma once

#include <toml++/toml.h>

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "io/diagnostic.h"

namespace repsim::io {

// The source name the nodes of assignment `set` ("training.epochs=4") carry:
// "--set training.epochs=4". Diagnostics at such a node name the --set.
std::string SetSourceName(std::string_view set);
// Whether `source_name` is one SetSourceName made.
bool IsSetSource(std::string_view source_name);
// The column in SetSourceName(set) of column `column` of the assignment `set`
// (the columns the nodes ApplySets makes carry, 1-based).
int SetColumn(std::string_view source_name, int column);

// Applies each "KEY=VALUE" of `sets` to `root`, in order (a later one wins).
// KEY is a dotted scenario key ("training.epochs", "law.preset",
// "data.source.web.weight" for the [[data.source]] named web); VALUE is a TOML
// value (4, 1e24, true, "text", [1, 2]) or, when it is not one, the text
// itself as a string (7B, chinchilla2022). Tables on the way are created.
// Setting one of training.tokens, .epochs, .compute removes the other two (a
// run gives exactly one: the set changes the basis). The
// new nodes carry SetSourceName(set) as their source, line 1 and the columns
// of the assignment (each key part at its own, the value at its own), so that
// the loader's checks (unknown keys, types, ranges) point at the --set with a
// caret. Errors (a malformed assignment, a key through a non-table, an
// unknown source name) are returned as diagnostics of `file` of that shape.
std::vector<Diagnostic> ApplySets(toml::table& root, std::span<const std::string> sets,
                                  const std::string& file);

}  // namespace repsim::io
