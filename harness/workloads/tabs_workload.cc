#include "harness/workloads/tabs_workload.h"

#include <algorithm>

#include "harness/load/worker.h"
#include "harness/workloads/html_links.h"
#include "harness/load/request_accounting.h"

namespace h2soak::workloads {
namespace {
constexpr std::uint32_t kStreamsPerConnection = 64;
constexpr std::size_t kHtmlReserve = 256 * 1024;
constexpr Nanos kMinBackoff = std::chrono::milliseconds(200);
constexpr Nanos kMaxBackoff = std::chrono::seconds(2);
}  // namespace

TabsWorkload::TabsWorkload(load::Worker& worker, const WorkloadContext& context)
    : WorkloadBase(worker, context), params_(std::get<scenario::TabsWorkload>(context_.planned.params)) {
  const std::uint64_t users = context_.share(params_.users);
  const std::uint32_t tabs = std::max<std::uint32_t>(1, params_.tabs_per_user);
  const std::uint32_t conns = std::clamp<std::uint32_t>(params_.connections_per_user, 1, tabs);
  const auto options = context_.connection_options(kStreamsPerConnection);
  for (int p = 0; p < load::kPhaseCount; ++p) {
    auto& m = metrics_of(static_cast<std::uint64_t>(p));
    extras_[p] = {&m.extra_counter("tabs.opened"), &m.extra_counter("tabs.pages"),
                  &m.extra_counter("tabs.assets"), &m.extra_counter("tabs.logins"),
                  &m.extra_counter("tabs.sse_streams"), &m.extra_counter("tabs.requests_unsent"),
                  &m.extra_counter("tabs.sse_abandoned")};
  }
  for (std::uint64_t u = 0; u < users; ++u) {
    auto user = std::make_unique<User>();
    User* up = user.get();
    user->links.resize(conns);
    for (std::size_t i = 0; i < conns; ++i) {
      Link& link = user->links[i];
      link.connection = load::make_connection(worker, options, *this, &current());
      link.connection->user = up;
      link.retry_timer = std::make_unique<load::Timer>(worker.loop(), [this, up, i] {
        Link& l = up->links[i];
        l.retry_pending = false;
        if (closed()) return;
        if (l.connection->state() == load::Connection::State::kIdle) l.connection->connect();
        else pump_connection(*up, i);
      });
    }
    for (std::uint32_t t = 0; t < tabs; ++t) {
      auto tab = std::make_unique<Tab>();
      Tab* tp = tab.get();
      tab->user = up;
      tab->connection = t % conns;
      tab->queue.reserve(32);
      if (params_.assets == scenario::AssetMode::kParse) tab->html.reserve(kHtmlReserve);
      tab->think_timer = std::make_unique<load::Timer>(worker.loop(), [this, tp] {
        if (active() && tp->open) load_page(*tp);
      });
      tab->lifetime_timer = std::make_unique<load::Timer>(worker.loop(), [this, tp] {
        close_tab(*tp);
        if (active()) open_tab(*tp);
      });
      user->tabs.push_back(std::move(tab));
    }
    users_.push_back(std::move(user));
  }
  if (options.tls) worker.tls();
}

TabsWorkload::~TabsWorkload() {
  for (auto& u : users_) {
    for (auto& t : u->tabs) t->think_timer.reset(), t->lifetime_timer.reset();
    for (auto& l : u->links) l.retry_timer.reset();
    u->links.clear();  // connections before the records' observer (this) goes away
  }
}

const net::Request& TabsWorkload::request_for(User& user, std::string_view path) {
  auto it = user.requests.find(path);
  if (it != user.requests.end()) return *it->second;
  auto r = std::make_unique<net::Request>();
  r->url = context_.url(std::string(path));
  if (!user.cookie.empty()) r->headers.emplace_back("cookie", user.cookie);
  r->finalize();
  const net::Request& ref = *r;
  user.requests.emplace(std::string(path), std::move(r));
  return ref;
}

void TabsWorkload::on_window_open() {
  for (auto& u : users_)
    for (auto& t : u->tabs)
      if (!t->open) open_tab(*t);
}

void TabsWorkload::on_window_close() {
  for (auto& u : users_)
    for (auto& t : u->tabs) close_tab(*t);
}

void TabsWorkload::close_all() {
  on_window_close();
  for (auto& u : users_)
    for (auto& l : u->links) {
      l.retry_timer->stop();
      l.connection->close(net::ErrorClass::kCancelled, "workload closed");
    }
}

void TabsWorkload::on_phase(metrics::WorkloadMetrics& m) {
  for (auto& u : users_)
    for (auto& l : u->links) l.connection->set_metrics(&m);
}

void TabsWorkload::open_tab(Tab& tab) {
  tab.open = true;
  ++tab.generation;
  ++*extras_[phase_tag()].opened;
  if (params_.lifetime)
    tab.lifetime_timer->start(random_in(params_.lifetime->min, params_.lifetime->max));
  User& user = *tab.user;
  if (params_.session && !user.logged_in) {
    tab.waiting_login = true;
    if (!user.login_in_flight) {
      user.login_in_flight = true;
      enqueue(tab, request_for(user, params_.login_path), Kind::kLogin);
    }
    return;
  }
  load_page(tab);
}

void TabsWorkload::close_tab(Tab& tab) {
  if (!tab.open) return;
  tab.open = false;
  tab.waiting_login = false;
  ++tab.generation;  // completions of the old tab are counted, not acted on
  tab.think_timer->stop();
  tab.lifetime_timer->stop();
  cancel_sse(tab);
  drop_queue(tab);
  tab.assets_pending = 0;
}

void TabsWorkload::drop_queue(Tab& tab) {
  for (const Pending& p : tab.queue)
    if (p.kind == Kind::kLogin) tab.user->login_in_flight = false;
  *extras_[phase_tag()].unsent += tab.queue.size();
  tab.queue.clear();
}

void TabsWorkload::cancel_sse(Tab& tab) {
  if (!tab.sse) return;
  net::StreamRecord* r = tab.sse;
  tab.sse = nullptr;
  User& user = *tab.user;
  user.links[tab.connection].connection->cancel(*r, net::ErrorClass::kCancelled);
}

void TabsWorkload::load_page(Tab& tab) {
  cancel_sse(tab);  // navigating away closes the page's event stream
  const auto& pages = params_.pages;
  const std::string& path = pages.empty() ? std::string("/") : pages[static_cast<std::size_t>(random_unit() * pages.size()) % pages.size()];
  tab.assets_pending = 0;
  enqueue(tab, request_for(*tab.user, path), Kind::kPage);
}

void TabsWorkload::enqueue(Tab& tab, const net::Request& request, Kind kind) {
  tab.queue.push_back({&request, kind});
  pump(tab);
}

void TabsWorkload::pump(Tab& tab) { pump_connection(*tab.user, tab.connection); }

// Sends what the tabs of one connection have queued, as far as stream slots
// allow; a closed connection with work queued is reopened from a timer (never
// from inside the engine's callbacks, where the connection is still closing).
void TabsWorkload::pump_connection(User& user, std::size_t index) {
  Link& link = user.links[index];
  load::Connection& c = *link.connection;
  if (c.state() == load::Connection::State::kIdle) {
    if (closed() || link.retry_pending) return;
    bool work = false;
    for (auto& t : user.tabs)
      if (t->connection == index && !t->queue.empty()) work = true;
    if (work) {
      link.retry_pending = true;
      link.retry_timer->start(link.backoff);
    }
    return;
  }
  if (!c.ready()) return;
  for (auto& t : user.tabs) {
    if (t->connection != index) continue;
    Tab& tab = *t;
    while (!tab.queue.empty() && c.capacity() > 0) {
      const Pending p = tab.queue.front();
      tab.queue.erase(tab.queue.begin());  // before submit: a failed submit completes at once
      net::StreamRecord* r = c.acquire();
      r->request = p.request;
      r->observer = this;
      r->user = &tab;
      r->user_tag = tag(phase_tag(), p.kind, tab.generation);
      r->deliver_data = p.kind == Kind::kLogin || (p.kind == Kind::kPage && params_.assets == scenario::AssetMode::kParse);
      if (p.kind == Kind::kPage) tab.html.clear();
      if (p.kind == Kind::kSse) tab.sse = r;
      ++in_flight_;
      ++current().counters.requests_started;
      c.submit(*r);
    }
    if (c.capacity() == 0) break;
  }
}

void TabsWorkload::on_connected(load::Connection& c) {
  note_connected();
  User& user = *static_cast<User*>(c.user);
  for (std::size_t i = 0; i < user.links.size(); ++i)
    if (user.links[i].connection.get() == &c) {
      user.links[i].backoff = Nanos{0};
      pump_connection(user, i);
    }
}

void TabsWorkload::on_stream_slot_free(load::Connection& c) {
  User& user = *static_cast<User*>(c.user);
  for (std::size_t i = 0; i < user.links.size(); ++i)
    if (user.links[i].connection.get() == &c) pump_connection(user, i);
}

void TabsWorkload::on_closed(load::Connection& c, const load::CloseInfo& info) {
  if (info.cause != net::ErrorClass::kCancelled) note_error(info.message);
  if (closed()) return;
  User& user = *static_cast<User*>(c.user);
  for (std::size_t i = 0; i < user.links.size(); ++i) {
    Link& link = user.links[i];
    if (link.connection.get() != &c) continue;
    if (info.was_connected) link.backoff = Nanos{0};
    else link.backoff = link.backoff.count() == 0 ? kMinBackoff : std::min(link.backoff * 2, kMaxBackoff);
    link.retry_pending = false;
    pump_connection(user, i);  // reopens (after the back-off) only if a tab has work queued
  }
}

void TabsWorkload::on_response_header(net::StreamRecord& r, std::string_view name, std::string_view value) {
  if (static_cast<Kind>((r.user_tag >> 1) & 0x7f) != Kind::kLogin) return;
  if (name != "set-cookie") return;
  const auto semi = value.find(';');
  static_cast<Tab*>(r.user)->user->cookie.assign(value.substr(0, semi));
}

void TabsWorkload::on_response_data(net::StreamRecord& r, const std::uint8_t* data, std::size_t length) {
  if (static_cast<Kind>((r.user_tag >> 1) & 0x7f) != Kind::kPage) return;
  Tab& tab = *static_cast<Tab*>(r.user);
  if (static_cast<std::uint32_t>(r.user_tag >> 8) != tab.generation) return;
  tab.html.append(reinterpret_cast<const char*>(data), length);
}

void TabsWorkload::on_complete(net::StreamRecord& r) {
  --in_flight_;
  Tab& tab = *static_cast<Tab*>(r.user);
  const std::uint64_t phase = r.user_tag & 1;
  const Kind kind = static_cast<Kind>((r.user_tag >> 1) & 0x7f);
  const auto generation = static_cast<std::uint32_t>(r.user_tag >> 8);
  auto& m = metrics_of(phase);
  const Extras& x = extras_[phase];
  if (kind == Kind::kSse && load::unstart_if_abandoned(m, r, *x.abandoned)) {
    if (tab.sse == &r) tab.sse = nullptr;
    return;
  }
  load::record_request(m, r, load::sent_time(r), /*count_cancel_as_error=*/kind != Kind::kSse);
  switch (kind) {
    case Kind::kLogin: ++*x.logins; break;
    case Kind::kPage: ++*x.pages; break;
    case Kind::kAsset: ++*x.assets; break;
    case Kind::kSse: ++*x.sse_streams; break;
  }
  if (kind == Kind::kSse && tab.sse == &r) tab.sse = nullptr;
  if (kind == Kind::kLogin) {
    User& user = *tab.user;
    user.login_in_flight = false;
    user.logged_in = true;  // even on failure: a browser would go on without the session
    user.requests.clear();  // rebuilt with the cookie
    for (auto& t : user.tabs)
      if (t->open && t->waiting_login) {
        t->waiting_login = false;
        if (active()) load_page(*t);
      }
    return;
  }
  if (generation != tab.generation || !tab.open || !active()) return;
  if (kind == Kind::kPage) after_page(tab, r);
  else if (kind == Kind::kAsset && tab.assets_pending > 0 && --tab.assets_pending == 0) think(tab);
}

void TabsWorkload::after_page(Tab& tab, const net::StreamRecord& r) {
  User& user = *tab.user;
  std::uint32_t n = 0;
  if (r.ok() && r.status == 200) {
    if (params_.assets == scenario::AssetMode::kParse) {
      scan_links(tab.html, [&](std::string_view path) {
        tab.queue.push_back({&request_for(user, path), Kind::kAsset});
        ++n;
      });
    } else if (params_.assets == scenario::AssetMode::kList) {
      for (const auto& path : params_.asset_paths) {
        tab.queue.push_back({&request_for(user, path), Kind::kAsset});
        ++n;
      }
    }
    if (params_.sse && !tab.sse) tab.queue.push_back({&request_for(user, params_.sse_path), Kind::kSse});
  }
  tab.assets_pending = n;
  pump(tab);
  if (n == 0) think(tab);
}

void TabsWorkload::think(Tab& tab) { tab.think_timer->start(random_in(params_.think.min, params_.think.max)); }

}  // namespace h2soak::workloads
