// A result as a small tree of values (null, bool, integer, number, text, list,
// object with ordered keys), built once from the field tables (fields.h) and
// written out by one JSON writer here and one Python converter
// (python/_repsim.cpp). Used where a result nests (fit's report: constants,
// domain, bootstrap), so the CLI's JSON and the Python dict cannot drift.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace repsim::io {

struct Member;

struct Value {
  using List = std::vector<Value>;
  using Object = std::vector<Member>;  // keys in output order
  std::variant<std::nullptr_t, bool, int64_t, uint64_t, double, float, std::string, List, Object> v;

  // Defined below Member, which an Object's constructors need complete.
  Value();
  Value(std::nullptr_t);  // NOLINT(google-explicit-constructor)
  Value(bool x);          // NOLINT(google-explicit-constructor)
  Value(int64_t x);       // NOLINT(google-explicit-constructor)
  Value(int x);           // NOLINT(google-explicit-constructor)
  Value(uint64_t x);      // NOLINT(google-explicit-constructor)
  Value(double x);        // NOLINT(google-explicit-constructor)
  Value(float x);         // NOLINT(google-explicit-constructor): a float32 sum, kept as one
  Value(std::string x);   // NOLINT(google-explicit-constructor)
  Value(const char* x);   // NOLINT(google-explicit-constructor): text, not bool
  Value(List x);          // NOLINT(google-explicit-constructor)
  Value(Object x);        // NOLINT(google-explicit-constructor)

  bool is_object() const { return std::holds_alternative<Object>(v); }
};

struct Member {
  std::string key;
  Value value;
};

inline Value::Value() : v(nullptr) {}
inline Value::Value(std::nullptr_t) : v(nullptr) {}
inline Value::Value(bool x) : v(x) {}
inline Value::Value(int64_t x) : v(x) {}
inline Value::Value(int x) : v(int64_t{x}) {}
inline Value::Value(uint64_t x) : v(x) {}
inline Value::Value(double x) : v(x) {}
inline Value::Value(float x) : v(x) {}
inline Value::Value(std::string x) : v(std::move(x)) {}
inline Value::Value(const char* x) : v(std::string(x)) {}
inline Value::Value(List x) : v(std::move(x)) {}
inline Value::Value(Object x) : v(std::move(x)) {}

// JSON text of `value`: numbers round-trip (Num; a float, the shortest text
// that reads back to the same float), text escaped (JsonString).
// An object with an object among its members is written one member per line,
// indented by `indent` + 2 spaces; every other object and every list on one
// line ({"a": 1, "b": 2}, ["x", "y"]). No trailing newline.
std::string ValueJson(const Value& value, int indent = 0);

}  // namespace repsim::io
