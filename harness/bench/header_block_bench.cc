// Header block preparation per request: building an nghttp2_nv array from
// strings for every request (what a naive client does) versus reusing a
// prebuilt array whose only per-request change is :path, plus the HPACK
// encoding nghttp2 then does with either (for scale).
#include <benchmark/benchmark.h>
#include <nghttp2/nghttp2.h>

#include <array>
#include <string>
#include <vector>

namespace {

struct Header {
  std::string name;
  std::string value;
};

// A browser-like request: pseudo-headers plus typical headers and a cookie.
std::vector<Header> request_headers() {
  return {{"user-agent", "Mozilla/5.0 (X11; Linux x86_64) h2soak/0.1"},
          {"accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
          {"accept-language", "en-GB,en;q=0.5"},
          {"accept-encoding", "gzip, deflate, br"},
          {"cookie", "session=3f1d0c9a7b2e4f60a1b2c3d4e5f60718"}};
}

const std::array<std::string, 4> kPaths = {"/", "/page/17", "/static/app.css", "/static/img/logo.png"};

nghttp2_nv make_nv(const std::string& name, const std::string& value, std::uint8_t flags) {
  return nghttp2_nv{reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
                    reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
                    flags};
}

// Per request: strings for the pseudo-headers and a fresh vector, as code
// that assembles each request from its parts does.
void BM_HeaderBlockBuildPerRequest(benchmark::State& state) {
  const auto headers = request_headers();
  const std::string authority = "127.0.0.1:8443";
  std::size_t i = 0;
  for (auto _ : state) {
    std::vector<std::string> owned = {":method", "GET", ":scheme", "https", ":authority", authority, ":path",
                                      kPaths[i++ & 3]};
    std::vector<nghttp2_nv> nva;
    nva.reserve(4 + headers.size());
    for (std::size_t k = 0; k < owned.size(); k += 2) nva.push_back(make_nv(owned[k], owned[k + 1], 0));
    for (const auto& h : headers) nva.push_back(make_nv(h.name, h.value, 0));
    benchmark::DoNotOptimize(nva.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HeaderBlockBuildPerRequest);

// Prebuilt once per URL set: the per-request work is picking the block.
void BM_HeaderBlockPrebuilt(benchmark::State& state) {
  const auto headers = request_headers();
  const std::string method = "GET", scheme = "https", authority = "127.0.0.1:8443";
  const std::string k_method = ":method", k_scheme = ":scheme", k_authority = ":authority", k_path = ":path";
  const std::uint8_t flags = NGHTTP2_NV_FLAG_NO_COPY_NAME | NGHTTP2_NV_FLAG_NO_COPY_VALUE;
  std::array<std::vector<nghttp2_nv>, 4> blocks;
  for (std::size_t p = 0; p < kPaths.size(); ++p) {
    blocks[p] = {make_nv(k_method, method, flags), make_nv(k_scheme, scheme, flags),
                 make_nv(k_authority, authority, flags), make_nv(k_path, kPaths[p], flags)};
    for (const auto& h : headers) blocks[p].push_back(make_nv(h.name, h.value, flags));
  }
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& nva = blocks[i++ & 3];
    benchmark::DoNotOptimize(nva.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HeaderBlockPrebuilt);

// HPACK encoding of the same block with a warm dynamic table (what every
// request after the first costs inside nghttp2_submit_request + mem_send).
void BM_HeaderBlockHpackDeflate(benchmark::State& state) {
  const auto headers = request_headers();
  const std::string method = "GET", scheme = "https", authority = "127.0.0.1:8443";
  const std::string k_method = ":method", k_scheme = ":scheme", k_authority = ":authority", k_path = ":path";
  std::array<std::vector<nghttp2_nv>, 4> blocks;
  for (std::size_t p = 0; p < kPaths.size(); ++p) {
    blocks[p] = {make_nv(k_method, method, 0), make_nv(k_scheme, scheme, 0), make_nv(k_authority, authority, 0),
                 make_nv(k_path, kPaths[p], 0)};
    for (const auto& h : headers) blocks[p].push_back(make_nv(h.name, h.value, 0));
  }
  nghttp2_hd_deflater* deflater = nullptr;
  nghttp2_hd_deflate_new(&deflater, 4096);
  std::vector<std::uint8_t> out(nghttp2_hd_deflate_bound(deflater, blocks[0].data(), blocks[0].size()) + 64);
  std::size_t i = 0;
  std::size_t last = 0;
  for (auto _ : state) {
    const auto& nva = blocks[i++ & 3];
    const ssize_t n = nghttp2_hd_deflate_hd(deflater, out.data(), out.size(), nva.data(), nva.size());
    if (n < 0) {
      state.SkipWithError("deflate failed");
      break;
    }
    last = static_cast<std::size_t>(n);
    benchmark::DoNotOptimize(out.data());
  }
  nghttp2_hd_deflate_del(deflater);
  state.SetItemsProcessed(state.iterations());
  state.counters["block_bytes"] = static_cast<double>(last);
}
BENCHMARK(BM_HeaderBlockHpackDeflate);

}  // namespace
