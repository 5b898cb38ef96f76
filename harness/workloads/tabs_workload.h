#pragma once
// The `tabs` workload: users × tabs_per_user browser tabs (this worker's share
// of the users). A tab loads a page (GET of a random path from `pages`), then
// the page's assets concurrently (links parsed from the HTML with
// html_links.h, or the listed asset paths), optionally opens an SSE stream to
// sse_path, thinks for a random time in `think`, and navigates to another
// page (the old page's SSE stream is cancelled, a new one opened after the
// new page, as a browser does). When its lifetime ends the tab is closed
// (its SSE stream cancelled, queued requests dropped, in-flight ones left to
// finish) and a new tab opens in its place while a load window is open.
//
// A user's tabs share the user's connections (tab i uses connection
// i % connections_per_user) and cookies: with `session`, the user's first tab
// does GET login_path once and every later request sends `cookie: sid=...`.
// Connections are opened lazily, when a tab has something to send (a closed
// connection — e.g. the server's idle timeout — is reopened the same way;
// after a failed connect with a back-off of 200 ms .. 2 s).
//
// Accounting: every request is recorded (load/request_accounting.h) into the
// phase it started in. Extra counters per phase: tabs.opened, tabs.pages,
// tabs.assets, tabs.logins, tabs.sse_streams (requests *completed* of each
// kind, whatever their outcome; SSE streams left by the client count as done
// and succeeded), tabs.requests_unsent (queued requests of a tab that closed
// before they could be sent), tabs.sse_abandoned (SSE streams left before
// their response began: not counted as requests at all, see
// unstart_if_abandoned).

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "harness/load/connection.h"
#include "harness/load/event.h"
#include "harness/net/request.h"
#include "harness/net/stream.h"
#include "harness/workloads/workload_base.h"

namespace h2soak::workloads {

class TabsWorkload final : public WorkloadBase, public load::ConnectionObserver, public net::StreamObserver {
 public:
  TabsWorkload(load::Worker& worker, const WorkloadContext& context);
  ~TabsWorkload() override;

  // load::ConnectionObserver
  void on_connected(load::Connection& c) override;
  void on_stream_slot_free(load::Connection& c) override;
  void on_closed(load::Connection& c, const load::CloseInfo& info) override;
  // net::StreamObserver
  void on_response_header(net::StreamRecord& r, std::string_view name, std::string_view value) override;
  void on_response_data(net::StreamRecord& r, const std::uint8_t* data, std::size_t length) override;
  void on_complete(net::StreamRecord& r) override;

 protected:
  void on_window_open() override;
  void on_window_close() override;
  void close_all() override;
  void on_phase(metrics::WorkloadMetrics& current) override;
  std::uint64_t in_flight() const override { return in_flight_; }

 private:
  enum class Kind : std::uint8_t { kLogin = 0, kPage = 1, kAsset = 2, kSse = 3 };
  struct User;
  struct Pending {
    const net::Request* request;
    Kind kind;
  };
  struct Tab {
    User* user = nullptr;
    std::size_t connection = 0;  // index into user->connections
    std::uint32_t generation = 0;
    bool open = false;
    bool waiting_login = false;
    std::vector<Pending> queue;  // waiting for a stream slot
    std::uint32_t assets_pending = 0;
    std::string html;            // the page being received (parse mode)
    net::StreamRecord* sse = nullptr;  // the open SSE stream, if any
    std::unique_ptr<load::Timer> think_timer, lifetime_timer;
  };
  struct Link {
    std::unique_ptr<load::Connection> connection;
    std::unique_ptr<load::Timer> retry_timer;
    Nanos backoff{0};
    bool retry_pending = false;
  };
  struct User {
    std::vector<Link> links;
    std::vector<std::unique_ptr<Tab>> tabs;
    std::string cookie;  // "sid=..." once logged in
    bool logged_in = false;
    bool login_in_flight = false;
    std::map<std::string, std::unique_ptr<net::Request>, std::less<>> requests;  // by path
  };
  struct Extras {
    std::uint64_t* opened;
    std::uint64_t* pages;
    std::uint64_t* assets;
    std::uint64_t* logins;
    std::uint64_t* sse_streams;
    std::uint64_t* unsent;
    std::uint64_t* abandoned;
  };

  static std::uint64_t tag(std::uint64_t phase, Kind kind, std::uint32_t generation) {
    return phase | (static_cast<std::uint64_t>(kind) << 1) | (static_cast<std::uint64_t>(generation) << 8);
  }
  const net::Request& request_for(User& user, std::string_view path);
  void open_tab(Tab& tab);
  void close_tab(Tab& tab);
  void load_page(Tab& tab);
  void after_page(Tab& tab, const net::StreamRecord& r);
  void think(Tab& tab);
  void enqueue(Tab& tab, const net::Request& request, Kind kind);
  void pump(Tab& tab);
  void pump_connection(User& user, std::size_t index);
  void cancel_sse(Tab& tab);
  void drop_queue(Tab& tab);

  const scenario::TabsWorkload& params_;
  std::vector<std::unique_ptr<User>> users_;
  std::uint64_t in_flight_ = 0;
  Extras extras_[load::kPhaseCount];
};

}  // namespace h2soak::workloads
