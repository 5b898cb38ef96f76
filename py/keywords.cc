#include "py/keywords.h"

#include <pybind11/stl.h>

#include <charconv>
#include <cmath>
#include <system_error>
#include <utility>

#include <fmt/format.h>

namespace py = pybind11;

namespace h2soak::py_binding {
namespace {

bool is_number(const py::handle& o) { return py::isinstance<py::int_>(o) || py::isinstance<py::float_>(o); }

// A number as plain decimals (no exponent), exactly as parsed back (units::).
std::string decimal(double v) {
  char buf[400];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return ec == std::errc() ? std::string(buf, end) : fmt::format("{:f}", v);
}

}  // namespace

KeywordArgs::KeywordArgs(const py::kwargs& kw, std::string function) : function_(std::move(function)) {
  for (auto [key, value] : kw) left_[key.cast<std::string>()] = py::reinterpret_borrow<py::object>(value);
}

py::object KeywordArgs::take(const std::string& name) {
  auto it = left_.find(name);
  if (it == left_.end()) return py::none();
  py::object v = std::move(it->second);
  left_.erase(it);
  return v;
}

void KeywordArgs::check_all_taken() const {
  if (!left_.empty()) {
    throw py::type_error(function_ + "() got an unexpected keyword argument '" + left_.begin()->first + "'");
  }
}

void bad_value(const std::string& name, const std::string& message) { throw py::value_error(name + ": " + message); }

std::string text_of(const py::object& o, const std::string& name) {
  if (o.is_none()) return "";
  if (!py::isinstance<py::str>(o)) throw py::type_error(name + " must be a str");
  return o.cast<std::string>();
}

std::int64_t integer_of(const py::object& o, const std::string& name, std::int64_t fallback, std::int64_t min,
                        std::int64_t max) {
  if (o.is_none()) return fallback;
  if (!py::isinstance<py::int_>(o) || py::isinstance<py::bool_>(o)) throw py::type_error(name + " must be an int");
  const auto v = o.cast<long long>();
  if (v < min || v > max) bad_value(name, fmt::format("must be within {}..{}, got {}", min, max, v));
  return v;
}

double number_of(const py::object& o, const std::string& name, double fallback) {
  if (o.is_none()) return fallback;
  if (!is_number(o) || py::isinstance<py::bool_>(o)) throw py::type_error(name + " must be a number");
  return o.cast<double>();
}

bool flag_of(const py::object& o) { return !o.is_none() && py::bool_(o); }

std::string duration_of(const py::object& o, const std::string& name) {
  if (o.is_none()) return "";
  if (is_number(o)) {
    const double s = o.cast<double>();
    if (!std::isfinite(s) || s < 0 || s > 1e9) bad_value(name, "must be a non-negative number of seconds");
    return s > 0 ? decimal(s) + "s" : "";
  }
  return text_of(o, name);
}

std::string size_of(const py::object& o, const std::string& name, const std::string& fallback) {
  if (o.is_none()) return fallback;
  if (py::isinstance<py::int_>(o)) return std::to_string(integer_of(o, name, 0, 0, INT64_MAX));
  return text_of(o, name);
}

std::string rate_of(const py::object& o, const std::string& name) {
  if (o.is_none()) return "";
  if (!is_number(o)) return text_of(o, name);
  const double r = o.cast<double>();
  if (!std::isfinite(r) || r < 0) bad_value(name, "must be positive");
  return decimal(r) + "/s";
}

std::string time_of(const py::object& o, const std::string& name) {
  if (o.is_none()) return "";
  if (py::isinstance<py::str>(o)) return o.cast<std::string>();
  if (!is_number(o) || py::isinstance<py::bool_>(o)) throw py::type_error(name + " must be a number or a str");
  return decimal(o.cast<double>());
}

std::vector<std::string> texts_of(const py::handle& o, const std::string& name) {
  if (py::isinstance<py::str>(o)) return {o.cast<std::string>()};
  try {
    return o.cast<std::vector<std::string>>();
  } catch (const py::cast_error&) {
    throw py::type_error(name + " must be a str or a list of str");
  }
}

std::vector<std::string> headers_of(const py::object& o) {
  if (o.is_none()) return {};
  std::vector<std::string> lines;
  if (py::isinstance<py::dict>(o)) {
    for (auto [k, v] : o.cast<py::dict>()) lines.push_back(std::string(py::str(k)) + ": " + std::string(py::str(v)));
    return lines;
  }
  try {
    if (py::isinstance<py::str>(o)) throw py::cast_error();
    lines = o.cast<std::vector<std::string>>();
  } catch (const py::cast_error&) {
    throw py::type_error("headers must be a dict or a list of \"name: value\" str");
  }
  return lines;
}

}  // namespace h2soak::py_binding
