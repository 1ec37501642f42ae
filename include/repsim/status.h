// repsim: errors as values (the core never throws for bad input).
//
// One convention (STYLE.md "Errors"): a function that can fail returns
//   Expected<T>  when it produces a value: the T, or the error;
//   MaybeError   when it produces nothing (a check, a setter, a writer):
//                empty when all is well, else the message.
// The CLI turns both into diagnostics and exit codes. Programmer bugs are
// `assert`s, not errors.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace repsim {

// An error message, complete enough to be shown to a user as it is.
struct Error {
  std::string message;
  std::string key = {};  // the scenario key at fault (e.g. "training.epochs"), if any
};

// What is wrong, if anything: empty when all is well, else a message complete
// enough to be shown to a user as it is (`if (MaybeError e = Validate(x)) ...`).
using MaybeError = std::optional<std::string>;

template <class T>
class Expected {
 public:
  Expected(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Expected(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  const T& value() const& {
    assert(ok());
    return std::get<T>(v_);
  }
  T& value() & {
    assert(ok());
    return std::get<T>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(v_));
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  const std::string& error() const {
    assert(!ok());
    return std::get<Error>(v_).message;
  }
  // The scenario key at fault, or "" (see Error::key).
  const std::string& error_key() const {
    assert(!ok());
    return std::get<Error>(v_).key;
  }

 private:
  std::variant<T, Error> v_;
};

}  // namespace repsim
