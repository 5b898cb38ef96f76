#pragma once
// Internal to harness/result: a JSON value together with its JSON pointer, so
// that every decoding error can say where it happened. Decoders throw
// DecodeError; the public entry points (result_json.h) catch it and return an
// Error naming the source file — exceptions never leave the codec.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace h2soak::result::detail {

struct DecodeError {
  std::string path;     // JSON pointer, "" for the root
  std::string message;
};

class Node {
 public:
  Node(const nlohmann::json& j, std::string path) : j_(&j), path_(std::move(path)) {}

  const nlohmann::json& json() const { return *j_; }
  const std::string& path() const { return path_; }
  bool is_null() const { return j_->is_null(); }

  [[noreturn]] void fail(const std::string& message) const { throw DecodeError{path_, message}; }

  // Required member of an object.
  Node at(std::string_view key) const;
  // Optional member; nullopt when absent (or null, when null_is_absent).
  std::optional<Node> find(std::string_view key, bool null_is_absent = true) const;
  Node element(std::size_t i) const;

  void expect_object() const;
  std::size_t array_size() const;  // checks it is an array

  std::uint64_t u64() const;
  std::int64_t i64() const;
  double number() const;           // integer or float
  double number_or_nan() const;    // also accepts null (NaN is written as null)
  std::string str() const;
  bool boolean() const;

  static std::string escape(std::string_view key);  // JSON pointer escaping (~0, ~1)

 private:
  const nlohmann::json* j_;
  std::string path_;
};

const char* type_name(const nlohmann::json& j);

}  // namespace h2soak::result::detail
