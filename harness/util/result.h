#pragma once
// Errors as values for the I/O path (STYLE.md habit 6). GCC 12 has no
// std::expected, so this is a deliberately small stand-in: a Result<T> holds
// either a T or an Error; callers test with ok() / operator bool and read
// value() or error(). Exceptions are used only at the parse/CLI boundary.

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace h2soak {

// An error with a human-readable message. `where` is optional context such as
// "scenarios/mixed.yaml:12:5" or "127.0.0.1:8443"; message() joins the two.
class Error {
 public:
  Error() = default;
  explicit Error(std::string message, std::string where = {})
      : message_(std::move(message)), where_(std::move(where)) {}

  const std::string& what() const { return message_; }
  const std::string& where() const { return where_; }
  // "where: what", or just "what" when there is no location.
  std::string message() const { return where_.empty() ? message_ : where_ + ": " + message_; }

 private:
  std::string message_;
  std::string where_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(implicit)
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT(implicit)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }

  const Error& error() const { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT(implicit)

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { assert(!ok_); return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace h2soak
