#include "io/scenario_set.h"

#include <fmt/format.h>

#include "io/suggest.h"

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

// VALUE as a one-key table {v = VALUE} whose node carries the --set as its
// source: the TOML value VALUE spells, else the text as a string.
std::optional<toml::table> ParseValue(std::string_view value, const std::string& source) {
  for (const std::string& doc :
       {fmt::format("v = {}", value), fmt::format("v = {}", TomlQuoted(value))}) {
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

std::vector<Diagnostic> ApplySets(toml::table& root, std::span<const std::string> sets,
                                  const std::string& file) {
  std::vector<Diagnostic> errors;
  for (const std::string& set : sets) {
    auto fail = [&](std::string message) {
      errors.push_back(Diagnostic{file, 0, 0, fmt::format("--set {}: {}", set, message)});
    };
    const size_t eq = set.find('=');
    if (eq == std::string::npos) {
      fail("expected KEY=VALUE, e.g. --set training.epochs=4");
      continue;
    }
    const std::string_view key = std::string_view(set).substr(0, eq);
    std::vector<std::string_view> parts;
    for (size_t start = 0;;) {
      const size_t dot = key.find('.', start);
      parts.push_back(key.substr(start, dot == std::string_view::npos ? dot : dot - start));
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
    bool bad_key = false;
    for (std::string_view p : parts) bad_key = bad_key || !BareKey(p);
    if (bad_key) {
      fail(
          fmt::format("'{}' is not a key: dotted names of a-z, A-Z, 0-9, _ and -, e.g. "
                      "training.epochs",
                      key));
      continue;
    }
    const std::string source = SetSourceName(set);
    std::optional<toml::table> parsed = ParseValue(std::string_view(set).substr(eq + 1), source);
    toml::node* value = parsed ? parsed->get("v") : nullptr;
    if (value == nullptr) {
      fail("the value is neither a TOML value nor text");
      continue;
    }
    const toml::source_region where = value->source();

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
                "source of one)");
          } else {
            std::vector<std::string_view> views(names.begin(), names.end());
            std::string list;
            for (const std::string& s : names) list += (list.empty() ? "" : ", ") + s;
            fail(fmt::format("no [[data.source]] named '{}'{} (sources: {})", name,
                             DidYouMean(name, views), list));
          }
          ok = false;
        }
        walked += "." + name;
        continue;
      }
      if (n == nullptr) {
        table->insert(toml::key(part, where), toml::table{});
        n = table->get(part);
      }
      if (!n->is_table()) {
        fail(fmt::format("{} is not a table in the scenario, so it has no key '{}'", walked,
                         parts[i + 1]));
        ok = false;
        continue;
      }
      table = n->as_table();
    }
    if (!ok) continue;
    if (walked == "training") {
      // A run gives exactly one of tokens, epochs and compute: setting one
      // replaces the file's choice, so that --set can change the basis.
      for (const char* basis : {"tokens", "epochs", "compute"}) {
        if (parts.back() != basis) table->erase(basis);
      }
    }
    // Moved, not copied: a copied node loses its source.
    value->visit([&](auto& node) {
      table->insert_or_assign(toml::key(std::string(parts.back()), where), std::move(node));
    });
  }
  return errors;
}

}  // namespace repsim::io
