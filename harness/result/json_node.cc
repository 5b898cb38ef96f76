#include "harness/result/json_node.h"

#include <cmath>
#include <limits>

namespace h2soak::result::detail {

const char* type_name(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::object: return "an object";
    case nlohmann::json::value_t::array: return "an array";
    case nlohmann::json::value_t::string: return "a string";
    case nlohmann::json::value_t::boolean: return "a boolean";
    case nlohmann::json::value_t::number_integer: return "a negative integer";
    case nlohmann::json::value_t::number_unsigned: return "an unsigned integer";
    case nlohmann::json::value_t::number_float: return "a number with a fraction";
    default: return "something else";
  }
}

std::string Node::escape(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

void Node::expect_object() const {
  if (!j_->is_object()) fail(std::string("expected an object, got ") + type_name(*j_));
}

Node Node::at(std::string_view key) const {
  expect_object();
  auto it = j_->find(key);
  if (it == j_->end()) fail("missing field \"" + std::string(key) + "\"");
  return Node(*it, path_ + "/" + escape(key));
}

std::optional<Node> Node::find(std::string_view key, bool null_is_absent) const {
  expect_object();
  auto it = j_->find(key);
  if (it == j_->end() || (null_is_absent && it->is_null())) return std::nullopt;
  return Node(*it, path_ + "/" + escape(key));
}

std::size_t Node::array_size() const {
  if (!j_->is_array()) fail(std::string("expected an array, got ") + type_name(*j_));
  return j_->size();
}

Node Node::element(std::size_t i) const {
  if (i >= array_size()) fail("index " + std::to_string(i) + " out of range");
  return Node((*j_)[i], path_ + "/" + std::to_string(i));
}

std::uint64_t Node::u64() const {
  if (j_->is_number_unsigned()) return j_->get<std::uint64_t>();
  if (j_->is_number_integer() && j_->get<std::int64_t>() >= 0) return j_->get<std::uint64_t>();
  fail(std::string("expected an unsigned integer, got ") + type_name(*j_));
}

std::int64_t Node::i64() const {
  if (j_->is_number_integer() && !j_->is_number_unsigned()) return j_->get<std::int64_t>();
  if (j_->is_number_unsigned() &&
      j_->get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return j_->get<std::int64_t>();
  }
  fail(std::string("expected an integer, got ") + type_name(*j_));
}

double Node::number() const {
  if (!j_->is_number()) fail(std::string("expected a number, got ") + type_name(*j_));
  return j_->get<double>();
}

double Node::number_or_nan() const {
  if (j_->is_null()) return std::numeric_limits<double>::quiet_NaN();
  return number();
}

std::string Node::str() const {
  if (!j_->is_string()) fail(std::string("expected a string, got ") + type_name(*j_));
  return j_->get<std::string>();
}

bool Node::boolean() const {
  if (!j_->is_boolean()) fail(std::string("expected true or false, got ") + type_name(*j_));
  return j_->get<bool>();
}

}  // namespace h2soak::result::detail
