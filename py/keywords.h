#pragma once
// Python keyword arguments as the text the CLI takes, shared by h2soak.bench
// (bench_binding.cc) and h2soak.capacity (capacity_binding.cc): numbers for
// durations, sizes and rates become "10s", "64KiB", "500/s"; a dict of
// headers becomes "name: value" lines. A wrong type raises TypeError, a value
// no text could carry (a negative duration) ValueError, each naming the
// keyword; what the text means is checked afterwards by the harness's own
// option checks (run::make_bench_plan, run::make_capacity_plan).

#include <pybind11/pybind11.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace h2soak::py_binding {

// The keyword arguments of one call, taken one by one; what is left at the
// end is a misspelt or unknown keyword.
class KeywordArgs {
 public:
  // `function` names the call in the TypeError ("bench", "capacity").
  KeywordArgs(const pybind11::kwargs& kw, std::string function);
  // The value of `name`, None when not given.
  pybind11::object take(const std::string& name);
  // TypeError "<function>() got an unexpected keyword argument '...'" when any is left.
  void check_all_taken() const;

 private:
  std::string function_;
  std::map<std::string, pybind11::object> left_;
};

// ValueError "name: message".
[[noreturn]] void bad_value(const std::string& name, const std::string& message);

// A str; None: "".
std::string text_of(const pybind11::object& o, const std::string& name);
// An int within min..max; None: `fallback`.
std::int64_t integer_of(const pybind11::object& o, const std::string& name, std::int64_t fallback, std::int64_t min,
                        std::int64_t max);
// A float (or int); None: `fallback`.
double number_of(const pybind11::object& o, const std::string& name, double fallback);
// Truthiness; None: false.
bool flag_of(const pybind11::object& o);
// "10s", "1m30s" or a number of seconds; None or 0: "" (not given).
std::string duration_of(const pybind11::object& o, const std::string& name);
// "64KiB" or a number of bytes; None: `fallback`.
std::string size_of(const pybind11::object& o, const std::string& name, const std::string& fallback);
// "500/s" or requests per second; None: "".
std::string rate_of(const pybind11::object& o, const std::string& name);
// A wall-clock time: seconds since the epoch as a number (time.time() + 5), or
// a str as the CLI takes it ("1718000000", "+5"); None: "".
std::string time_of(const pybind11::object& o, const std::string& name);
// A str or a sequence of str (TypeError: "<name> must be a str or a list of str").
std::vector<std::string> texts_of(const pybind11::handle& o, const std::string& name);
// A dict {name: value} or a sequence of "name: value" strings (as -H takes); None: none.
std::vector<std::string> headers_of(const pybind11::object& o);

}  // namespace h2soak::py_binding
