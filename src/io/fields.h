// Self-describing results: a result struct's fields as a table, one row per
// field — name, kind, how people read it, accessor — the way columns.h's
// Column table describes Summary. The writers below (JSON members, table
// columns and cells) and the Python module's dicts are built from the rows,
// so a field is named once; result_fields.h holds the tables of core's
// results (FitResult's parts, PlanPoint, the validation rows), select's are
// in select_writer.cpp. Adding a field is one row plus the struct member it
// reads (docs/MAINTAINING.md).
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "io/table.h"
#include "io/value.h"

namespace repsim::io {

enum class FieldKind {
  kNumber,    // a double: Num() in files, Short() for people
  kOptional,  // a double, NaN meaning "none": null in JSON, "" in cells, NaN in Python
  kInteger,   // a whole number: its digits everywhere, an int in Python
  kFloat32,   // a float32 sum: the shortest text that reads back to the same float
  kText,      // a string: quoted in JSON and CSV when needed
  kValue,     // a nested value (value.h): an object, a list, a null or text
  kBool,      // number() != 0: true / false everywhere, a bool in Python
};

// How a number is shown to people where the output knows about quantities
// (the planners' Cells): a count of params or tokens (7B), a loss, or plain.
// kGopher: Gopher units (1/29,968 below one); kPercent: a number already in
// percent, signed with 2 decimals for people.
enum class FieldStyle { kPlain, kCount, kLoss, kGopher, kPercent };

template <typename T>
struct Field {
  std::string_view name;
  FieldKind kind = FieldKind::kNumber;
  double (*number)(const T&) = nullptr;     // every kind but kText
  std::string (*text)(const T&) = nullptr;  // kText
  FieldStyle style = FieldStyle::kPlain;
  // false: a member of the JSON objects and Python dicts only, not a column
  // of the output's table (e.g. a plan point's unique_tokens, which the
  // table's title states once).
  bool in_table = true;
  Value (*value)(const T&) = nullptr;  // kValue

  bool numeric() const {
    return kind != FieldKind::kText && kind != FieldKind::kValue && kind != FieldKind::kBool;
  }
  // The value as a tree (value.h): what the JSON writers and the Python
  // converter share. NaN of an optional number is null.
  Value ToValue(const T& v) const {
    switch (kind) {
      case FieldKind::kText:
        return Value(text(v));
      case FieldKind::kValue:
        return value(v);
      case FieldKind::kBool:
        return Value(number(v) != 0);
      case FieldKind::kInteger:
        return Value(static_cast<int64_t>(number(v)));
      case FieldKind::kFloat32:
        return Value(static_cast<float>(number(v)));
      case FieldKind::kOptional:
        if (!std::isfinite(number(v))) return Value(nullptr);
        [[fallthrough]];
      case FieldKind::kNumber:
        break;
    }
    return Value(number(v));
  }
  // The value as JSON: round-trip numbers (a float32 as the shortest text
  // that reads back to the same float), null for no value, quoted text.
  std::string Json(const T& v) const { return ValueJson(ToValue(v)); }
  // The value for people: 6 significant digits, "" for no value.
  std::string Short(const T& v) const {
    switch (kind) {
      case FieldKind::kText:
        return text(v);
      case FieldKind::kValue:
        return ValueJson(value(v));
      case FieldKind::kBool:
        return number(v) != 0 ? "true" : "false";
      case FieldKind::kInteger:
        return std::to_string(static_cast<int64_t>(number(v)));
      case FieldKind::kOptional:
        if (!std::isfinite(number(v))) return "";
        [[fallthrough]];
      case FieldKind::kNumber:
      case FieldKind::kFloat32:
        break;
    }
    return io::Short(number(v));
  }
};

template <typename T>
using FieldTable = std::span<const Field<T>>;

// A field whose value is a tree (kValue): a report's nested members.
template <typename T>
constexpr Field<T> ValueField(std::string_view name, Value (*value)(const T&)) {
  Field<T> f{name, FieldKind::kValue};
  f.in_table = false;
  f.value = value;
  return f;
}

// The fields of `v` as one object, in the table's order.
template <typename T>
Value FieldsValue(FieldTable<T> fields, const T& v) {
  Value::Object o;
  o.reserve(fields.size());
  for (const Field<T>& f : fields) o.push_back({std::string(f.name), f.ToValue(v)});
  return Value(std::move(o));
}

// The names of `fields`, in order (only the table columns when `table_only`).
template <typename T>
std::vector<std::string_view> FieldNames(FieldTable<T> fields, bool table_only = false) {
  std::vector<std::string_view> out;
  for (const Field<T>& f : fields) {
    if (!table_only || f.in_table) out.push_back(f.name);
  }
  return out;
}

// `"a": 1, "b": 2` (members joined by `separator`; every field).
template <typename T>
std::string JsonMembers(FieldTable<T> fields, const T& v, std::string_view separator = ", ") {
  std::string out;
  for (const Field<T>& f : fields) {
    if (!out.empty()) out += separator;
    out += JsonString(f.name);
    out += ": ";
    out += f.Json(v);
  }
  return out;
}

// `{"a": 1, "b": 2}`: the fields as one JSON object on one line.
template <typename T>
std::string JsonObject(FieldTable<T> fields, const T& v) {
  std::string out = "{";  // appended, not operator+: GCC 12's -Wrestrict false positive
  out += JsonMembers(fields, v);
  out += '}';
  return out;
}

// The table columns of `fields` (in_table) added to `t`; numbers right-aligned.
template <typename T>
void AddFieldColumns(Table& t, FieldTable<T> fields) {
  for (const Field<T>& f : fields) {
    if (f.in_table) t.AddColumn(std::string(f.name), f.numeric());
  }
}

// The table cells of `v`, one per in_table field, each made by `cell(field, v)`.
template <typename T, typename Cell>
void AppendFieldCells(std::vector<std::string>& cells, FieldTable<T> fields, const T& v,
                      const Cell& cell) {
  for (const Field<T>& f : fields) {
    if (f.in_table) cells.push_back(cell(f, v));
  }
}

// The same with the people's cells (Field::Short).
template <typename T>
void AppendShortCells(std::vector<std::string>& cells, FieldTable<T> fields, const T& v) {
  AppendFieldCells(cells, fields, v, [](const Field<T>& f, const T& x) { return f.Short(x); });
}

}  // namespace repsim::io
