#include "io/value.h"

#include <fmt/format.h>

#include <algorithm>

#include "io/table.h"

namespace repsim::io {

std::string ValueJson(const Value& value, int indent) {
  struct Writer {
    int indent;
    std::string operator()(std::nullptr_t) const { return "null"; }
    std::string operator()(bool x) const { return x ? "true" : "false"; }
    std::string operator()(int64_t x) const { return std::to_string(x); }
    std::string operator()(uint64_t x) const { return std::to_string(x); }
    std::string operator()(double x) const { return Num(x); }
    std::string operator()(float x) const { return fmt::format("{}", x); }
    std::string operator()(const std::string& s) const { return JsonString(s); }
    std::string operator()(const Value::List& l) const {
      std::string out = "[";
      for (size_t i = 0; i < l.size(); ++i) {
        if (i) out += ", ";
        out += ValueJson(l[i], indent);
      }
      out += ']';
      return out;
    }
    std::string operator()(const Value::Object& o) const {
      const bool nested =
          std::any_of(o.begin(), o.end(), [](const Member& m) { return m.value.is_object(); });
      const std::string pad(static_cast<size_t>(indent) + 2, ' ');
      std::string out = nested ? "{\n" : "{";
      for (size_t i = 0; i < o.size(); ++i) {
        if (nested) {
          out += pad;
        } else if (i) {
          out += ", ";
        }
        out += JsonString(o[i].key);
        out += ": ";
        out += ValueJson(o[i].value, nested ? indent + 2 : indent);
        if (nested) out += i + 1 < o.size() ? ",\n" : "\n";
      }
      if (nested) out += std::string(static_cast<size_t>(indent), ' ');
      out += '}';
      return out;
    }
  };
  return std::visit(Writer{indent}, value.v);
}

}  // namespace repsim::io
