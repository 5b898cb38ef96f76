// End-to-end test of `h2soak capacity`: the real h2soak binary searches the
// capacity of the real reference server made slow on purpose
// (`h2soak-target --threads 1 --page-cost 2ms`: one worker thread spends 2 ms
// of CPU per page, so it cannot serve more than 500 pages/s), on loopback,
// with 1 s stages. The figure must lie below that theoretical ceiling and
// well above nothing, name the objective that broke, and be written as JSON;
// with --page-cost 4ms the figure must be clearly lower. The 2 ms search also
// writes the HTML report (--report: reports/plot_run.py's capacity page with
// the knee plot). About 30 s in all.

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;

const std::string kBinary = H2SOAK_BINARY_DIR;
const std::string kH2soak = kBinary + "/harness/cli/h2soak";
const std::string kTarget = kBinary + "/target_server/h2soak-target";

// A rate of at least 100 as the report writes it: 325 -> "325", 1250 -> "1,250", 112.5 -> "112.5".
std::string fmt_rate(double v) {
  const long long tenths = std::llround(v * 10);
  std::string digits = std::to_string(tenths / 10);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<std::size_t>(i), ",");
  return tenths % 10 == 0 ? digits : digits + "." + std::to_string(tenths % 10);
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

struct Ran {
  int code = -1;
  std::string output;  // stdout + stderr
};

class CapacityE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("h2soak-capacity-e2e-" + std::string(info->name()) + "-" +
                                        std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    ASSERT_TRUE(fs::exists(kH2soak)) << kH2soak;
    ASSERT_TRUE(fs::exists(kTarget)) << kTarget;
  }
  void TearDown() override {
    stop_target();
    if (!HasFailure()) fs::remove_all(dir_);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // Starts the reference server on a free loopback port (h2c only, one worker
  // thread, `page_cost` of CPU per page); returns the port, 0 on failure.
  int start_target(const std::string& page_cost) {
    const std::string out = path("target-" + page_cost + ".out");
    const std::string serve = "exec " + kTarget + " --no-tls --threads 1 --port 0 --page-cost " + page_cost + " >" +
                              out + " 2>" + path("target-" + page_cost + ".err");
    const char* argv[] = {"/bin/sh", "-c", serve.c_str(), nullptr};
    if (::posix_spawn(&target_, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ) != 0) return 0;
    for (int i = 0; i < 100; ++i) {  // at most 5 s
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      const std::string text = slurp(out);
      if (text.find('\n') != std::string::npos) return std::atoi(text.c_str());
    }
    return 0;
  }

  void stop_target() {
    if (target_ <= 0) return;
    ::kill(target_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100 && ::waitpid(target_, &status, WNOHANG) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (::waitpid(target_, &status, WNOHANG) == 0) {
      ::kill(target_, SIGKILL);
      ::waitpid(target_, &status, 0);
    }
    target_ = -1;
  }

  Ran h2soak(const std::string& args) {
    const std::string log = path("h2soak.out");
    const std::string cmd = "timeout 60 " + kH2soak + " " + args + " >" + log + " 2>&1";
    const int status = std::system(cmd.c_str());
    Ran r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.output = slurp(log);
    return r;
  }

  // One capacity search against a fresh server with `page_cost`; the JSON
  // document. `report`: also --report into that folder.
  nlohmann::json search(const std::string& page_cost, const std::string& report = "") {
    const int port = start_target(page_cost);
    EXPECT_GT(port, 0) << slurp(path("target-" + page_cost + ".err"));
    if (port <= 0) return {};
    const std::string json = path("capacity-" + page_cost + ".json");
    const Ran r = h2soak("capacity http://127.0.0.1:" + std::to_string(port) +
                         "/page/1 --stage 1s --warm-up 500ms --start-rate 100/s --refine 3 --no-progress"
                         " --target-pid " + std::to_string(target_) + " --json " + json +
                         (report.empty() ? "" : " --report " + report));
    stop_target();
    EXPECT_EQ(r.code, 0) << r.output;
    EXPECT_NE(r.output.find("capacity: "), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("first broken objective: "), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("first broken objective: none"), std::string::npos) << r.output;
    output_ = r.output;
    if (!fs::exists(json)) {
      ADD_FAILURE() << "no JSON written: " << json << "\n" << r.output;
      return {};
    }
    return nlohmann::json::parse(slurp(json));
  }

  fs::path dir_;
  pid_t target_ = -1;
  std::string output_;
};

TEST_F(CapacityE2e, FindsTheKneeOfAServiceMadeSlowOnPurpose) {
  const nlohmann::json two = search("2ms", path("report"));
  ASSERT_TRUE(two.is_object());
  EXPECT_EQ(two["schema"], "h2soak.result/v1");
  EXPECT_EQ(two["metadata"]["scenario_name"], "capacity");
  const auto& metric = two["analysis"]["capacity"];
  EXPECT_EQ(metric["unit"], "req/s");
  EXPECT_EQ(metric["direction"], "higher");
  const double cap2 = metric["value"].get<double>();
  // One worker thread at 2 ms of CPU per page: at most 500 pages/s.
  EXPECT_GT(cap2, 150) << output_;
  EXPECT_LE(cap2, 500) << output_;
  const auto& c = two["capacity"];
  EXPECT_EQ(c["capacity"].get<double>(), cap2);
  EXPECT_EQ(c["stop"], "refined") << output_;
  EXPECT_FALSE(c["first_broken"].get<std::string>().empty());
  EXPECT_EQ(c["interval"][0].get<double>(), cap2);
  EXPECT_GT(c["interval"][1].get<double>(), cap2);
  ASSERT_GE(c["stages"].size(), 4u);
  bool failed = false;
  for (const auto& st : c["stages"]) {
    failed = failed || !st["passed"].get<bool>();
    ASSERT_TRUE(st["target"].is_object()) << st.dump();  // sampled: --target-pid
    EXPECT_GT(st["target"]["rss_peak"].get<double>(), 0);
  }
  EXPECT_TRUE(failed);
  // The stage at the capacity kept the server's one worker thread busy; what ran out is its CPU.
  for (const auto& st : c["stages"]) {
    if (st["offered"].get<double>() == cap2) EXPECT_GT(st["target"]["cpu"].get<double>(), 0.5) << st.dump();
  }

  // --report: the same result beside the page, and the page: the figure on
  // top, a row per stage, the knee plot inlined.
  EXPECT_NE(output_.find("report: " + path("report") + "/report.html"), std::string::npos) << output_;
  const nlohmann::json beside = nlohmann::json::parse(slurp(path("report") + "/capacity.json"));
  EXPECT_EQ(beside["capacity"], c);
  const std::string page = slurp(path("report") + "/report.html");
  ASSERT_FALSE(page.empty()) << output_;
  const std::string figure = fmt_rate(cap2);
  const auto verdict = page.find("<h2>Verdict</h2>");
  ASSERT_NE(verdict, std::string::npos);
  EXPECT_NE(page.find("Capacity: " + figure + " req/s (interval [" + figure + ", ", verdict), std::string::npos)
      << page.substr(verdict, 600);
  EXPECT_LT(verdict, page.find("<h2>Stages</h2>"));
  EXPECT_NE(page.find("<h3>Knee: "), std::string::npos);
  const auto png = page.find("src=\"data:image/png;base64,iVBORw0KGgo");  // a PNG's signature in base64
  ASSERT_NE(png, std::string::npos);
  EXPECT_GT(page.find('"', png + 5) - png, 20'000u);  // a real plot, not an empty canvas
  EXPECT_GT(fs::file_size(path("report") + "/knee.png"), 20'000u);
  std::size_t rows = 0;  // the Stages table's rows: the last table before the plots
  for (auto at = page.find("<h2>Stages</h2>"); (at = page.find("</td></tr>", at + 1)) < page.find("<h2>Plots</h2>");) {
    ++rows;
  }
  EXPECT_EQ(rows, c["stages"].size());

  const nlohmann::json four = search("4ms");
  ASSERT_TRUE(four.is_object());
  const double cap4 = four["analysis"]["capacity"]["value"].get<double>();
  EXPECT_LE(cap4, 250) << output_;
  EXPECT_LT(cap4, cap2) << output_;
  EXPECT_GT(cap4, 50) << output_;

  // Gated like any metric: a baseline from the 2 ms server, and the 4 ms
  // server (half the ceiling) is a regression of `capacity`: exit 1.
  const Ran rec = h2soak("baseline record-from " + path("capacity-2ms.json") + " --out " + path("base.json"));
  ASSERT_EQ(rec.code, 0) << rec.output;
  const Ran same = h2soak("compare " + path("capacity-2ms.json") + " " + path("base.json"));
  EXPECT_EQ(same.code, 0) << same.output;
  const Ran cmp = h2soak("compare " + path("capacity-4ms.json") + " " + path("base.json"));
  EXPECT_EQ(cmp.code, 1) << cmp.output;
  EXPECT_NE(cmp.output.find("REGRESSION"), std::string::npos) << cmp.output;
  EXPECT_NE(cmp.output.find("capacity"), std::string::npos) << cmp.output;
}

TEST_F(CapacityE2e, BadObjectiveIsUsageError) {
  const Ran r = h2soak("capacity http://127.0.0.1:1/ --objective 'p99 < 250'");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("--objective \"p99 < 250\""), std::string::npos) << r.output;
}

}  // namespace
