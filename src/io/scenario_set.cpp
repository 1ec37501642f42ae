#include "io/scenario_set.h"

#include <fmt/format.h>

#include "io/suggest.h"
#include "io/toml_guard.h"

namespace repsim::io {
namespace {

constexpr std::string_view kSetPrefix = "--set ";

// A TOML basic string holding `text`.
std::string TomlQuoted(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// The value of assignment `set` (VALUE after the '=' at `eq`) as a one-key
// table whose node carries the --set as its source: the TOML value VALUE
// spells, else the text as a string. The key is `eq` v's, so that the value's
// columns are its columns in `set`.
std::optional<toml::table> ParseValue(std::string_view set, size_t eq, const std::string& source) {
  const std::string key(eq, 'v');
  const std::string_view value = set.substr(eq + 1);
  for (const std::string& doc :
       {fmt::format("{}={}", key, value), fmt::format("{}={}", key, TomlQuoted(value))}) {
    // A value over the pre-parse guard's limits is taken as a string.
    if (CheckTomlText(doc, source)) continue;
    try {
      return toml::parse(doc, source);
    } catch (const toml::parse_error&) {
      // Not a TOML value: try it as a string.
    }
  }
  return std::nullopt;
}

bool BareKey(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string SetSourceName(std::string_view set) {
  return std::string(kSetPrefix) + std::string(set);
}

bool IsSetSource(std::string_view source_name) {
  return source_name.substr(0, kSetPrefix.size()) == kSetPrefix;
}

int SetColumn(std::string_view source_name, int column) {
  return static_cast<int>(source_name.size() - source_name.substr(kSetPrefix.size()).size()) +
         column;
}

std::vector<Diagnostic> ApplySets(toml::table& root, std::span<const std::string> sets,
                                  const std::string& file) {
  std::vector<Diagnostic> errors;
  for (const std::string& set : sets) {
    const std::string source = SetSourceName(set);
    // `at`: the 0-based offset in `set` of what is wrong.
    auto fail = [&](std::string message, size_t at) {
      errors.push_back(Diagnostic{fmt::format("{}: {}", file, source), 0,
                                  SetColumn(source, static_cast<int>(at) + 1), std::move(message),
                                  source});
    };
    const size_t eq = set.find('=');
    if (eq == std::string::npos) {
      fail("expected KEY=VALUE, e.g. --set training.epochs=4", 0);
      continue;
    }
    const std::string_view key = std::string_view(set).substr(0, eq);
    std::vector<std::string_view> parts;
    std::vector<size_t> offsets;  // of each part in `set`
    for (size_t start = 0;;) {
      const size_t dot = key.find('.', start);
      parts.push_back(key.substr(start, dot == std::string_view::npos ? dot : dot - start));
      offsets.push_back(start);
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
    size_t bad_part = parts.size();
    for (size_t i = parts.size(); i-- > 0;) {
      if (!BareKey(parts[i])) bad_part = i;
    }
    if (bad_part < parts.size()) {
      fail(fmt::format("'{}' is not a key: dotted names of a-z, A-Z, 0-9, _ and -, e.g. "
                       "training.epochs",
                       key),
           offsets[bad_part]);
      continue;
    }
    std::optional<toml::table> parsed = ParseValue(set, eq, source);
    toml::node* value = parsed ? parsed->get(std::string(eq, 'v')) : nullptr;
    if (value == nullptr) {
      fail("the value is neither a TOML value nor text", eq + 1);
      continue;
    }
    const toml::source_region where = value->source();
    // Part i of the key, where it is in `set` (1-based columns, line 1).
    auto key_at = [&](size_t i) {
      toml::source_region r = where;
      r.begin.column = static_cast<toml::source_index>(offsets[i] + 1);
      r.end.column = static_cast<toml::source_index>(offsets[i] + parts[i].size() + 1);
      return toml::key(std::string(parts[i]), r);
    };

    // Walk to the table that holds the last part, creating tables on the way.
    toml::table* table = &root;
    std::string walked;
    bool ok = true;
    for (size_t i = 0; i + 1 < parts.size() && ok; ++i) {
      const std::string part(parts[i]);
      walked += (walked.empty() ? "" : ".") + part;
      toml::node* n = table->get(part);
      if (walked == "data.source" && (n == nullptr || n->is_array())) {
        // data.source.<name>.<field>: the [[data.source]] whose name is <name>.
        const std::string name(parts[++i]);
        const toml::array* sources = n != nullptr ? n->as_array() : nullptr;
        std::vector<std::string> names;
        table = nullptr;
        for (size_t k = 0; sources != nullptr && k < sources->size(); ++k) {
          toml::table* t = (*n->as_array())[k].as_table();
          const toml::value<std::string>* nm = t ? t->get_as<std::string>("name") : nullptr;
          if (nm == nullptr) continue;
          names.push_back(nm->get());
          if (nm->get() == name) table = t;
        }
        if (table == nullptr) {
          if (names.empty()) {
            fail(
                "the scenario has no [[data.source]] mixture (data.source.<name>.* sets a "
                "source of one)",
                offsets[i - 1]);
          } else {
            std::vector<std::string_view> views(names.begin(), names.end());
            std::string list;
            for (const std::string& s : names) list += (list.empty() ? "" : ", ") + s;
            fail(fmt::format("no [[data.source]] named '{}'{} (sources: {})", name,
                             DidYouMean(name, views), list),
                 offsets[i]);
          }
          ok = false;
        }
        walked += "." + name;
        continue;
      }
      if (n == nullptr) {
        table->insert(key_at(i), toml::table{});
        n = table->get(part);
      }
      if (!n->is_table()) {
        fail(fmt::format("{} is not a table in the scenario, so it has no key '{}'", walked,
                         parts[i + 1]),
             offsets[i + 1]);
        ok = false;
        continue;
      }
      table = n->as_table();
    }
    if (!ok) continue;
    const bool basis_key =
        parts.back() == "tokens" || parts.back() == "epochs" || parts.back() == "compute";
    if (walked == "training" && basis_key) {
      // A run gives exactly one of tokens, epochs and compute: setting one
      // replaces the file's choice, so that --set can change the basis.
      // (training.weight_decay is no length: it leaves the basis alone.)
      for (const char* basis : {"tokens", "epochs", "compute"}) {
        if (parts.back() != basis) table->erase(basis);
      }
    }
    // Moved, not copied: a copied node loses its source.
    value->visit(
        [&](auto& node) { table->insert_or_assign(key_at(parts.size() - 1), std::move(node)); });
  }
  return errors;
}

}  // namespace repsim::io
