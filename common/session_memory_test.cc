#include "common/session_memory.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace h2soak::common {
namespace {

bool aligned16(const void* p) { return reinterpret_cast<std::uintptr_t>(p) % 16 == 0; }

TEST(SessionMemory, AFreedBlockIsHandedOutAgainForAnySizeOfItsClass) {
  SessionMemory m;
  void* a = m.allocate(40);  // class 48
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(aligned16(a));
  const auto calls = m.system_allocations();
  m.release(a);
  EXPECT_EQ(m.allocate(33), a);  // 33..48 share the class
  EXPECT_EQ(m.system_allocations(), calls);
  void* b = m.allocate(49);  // the next class: a new block
  EXPECT_NE(b, a);
  EXPECT_EQ(m.system_allocations(), calls + 1);
  m.release(a);
  m.release(b);
}

TEST(SessionMemory, FreeListsAreLastInFirstOutPerClass) {
  SessionMemory m;
  std::vector<void*> blocks;
  for (int i = 0; i < 8; ++i) blocks.push_back(m.allocate(100));
  for (void* p : blocks) m.release(p);
  const auto calls = m.system_allocations();
  for (int i = 7; i >= 0; --i) EXPECT_EQ(m.allocate(100), blocks[static_cast<std::size_t>(i)]);
  EXPECT_EQ(m.system_allocations(), calls);
  for (void* p : blocks) m.release(p);
}

TEST(SessionMemory, BlocksAboveTheLargestClassGoToMallocEachTime) {
  SessionMemory m;
  const auto calls = m.system_allocations();
  void* a = m.allocate(SessionMemory::kLargest + 1);
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(aligned16(a));
  m.release(a);
  void* b = m.allocate(SessionMemory::kLargest + 1);
  EXPECT_EQ(m.system_allocations(), calls + 2);
  m.release(b);
  void* c = m.allocate(SessionMemory::kLargest);  // the largest class is still recycled
  m.release(c);
  EXPECT_EQ(m.allocate(SessionMemory::kLargest), c);
  m.release(c);
}

TEST(SessionMemory, ReallocateKeepsTheBytesAcrossClassesAndIntoLargeBlocks) {
  SessionMemory m;
  auto* p = static_cast<char*>(m.allocate(20));
  std::memcpy(p, "0123456789abcdefghi", 20);
  EXPECT_EQ(m.reallocate(p, 32), p);  // still fits its class
  auto* q = static_cast<char*>(m.reallocate(p, 200));
  ASSERT_NE(q, nullptr);
  EXPECT_STREQ(q, "0123456789abcdefghi");
  auto* r = static_cast<char*>(m.reallocate(q, 5000));
  ASSERT_NE(r, nullptr);
  EXPECT_STREQ(r, "0123456789abcdefghi");
  r[4999] = 'z';
  auto* s = static_cast<char*>(m.reallocate(r, 100000));
  ASSERT_NE(s, nullptr);
  EXPECT_STREQ(s, "0123456789abcdefghi");
  EXPECT_EQ(s[4999], 'z');
  m.release(s);
  void* fresh = m.reallocate(nullptr, 10);  // realloc(nullptr) allocates
  EXPECT_NE(fresh, nullptr);
  m.release(fresh);
}

TEST(SessionMemory, CallocZeroesARecycledBlockAndRefusesAnOverflow) {
  SessionMemory m;
  nghttp2_mem* mem = m.recycling_mem();
  auto* p = static_cast<unsigned char*>(mem->malloc(64, mem->mem_user_data));
  std::memset(p, 0xAB, 64);
  mem->free(p, mem->mem_user_data);
  auto* z = static_cast<unsigned char*>(mem->calloc(8, 8, mem->mem_user_data));
  ASSERT_EQ(z, p);  // the same block, dirty before
  for (int i = 0; i < 64; ++i) EXPECT_EQ(z[i], 0) << i;
  mem->free(z, mem->mem_user_data);
  EXPECT_EQ(mem->calloc(SIZE_MAX / 2, 4, mem->mem_user_data), nullptr);
  mem->free(nullptr, mem->mem_user_data);  // free(nullptr) is a no-op
}

// A client session on the free lists against an nghttp2 server on libc, wired in
// memory: once the first requests have shaped the session, more requests (streams
// opened and closed, header blocks decoded, DATA received) cost no call into malloc.
class Pair {
 public:
  explicit Pair(nghttp2_mem* client_mem) {
    nghttp2_session_callbacks* cb = nullptr;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, &Pair::server_frame_recv);
    nghttp2_session_server_new(&server_, cb, this);
    nghttp2_session_callbacks_del(cb);
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_on_stream_close_callback(
        cb, [](nghttp2_session*, int32_t, uint32_t, void* self) {
          ++static_cast<Pair*>(self)->closed_;
          return 0;
        });
    nghttp2_session_client_new3(&client_, cb, this, nullptr, client_mem);
    nghttp2_session_callbacks_del(cb);
    nghttp2_submit_settings(client_, NGHTTP2_FLAG_NONE, nullptr, 0);
    nghttp2_submit_settings(server_, NGHTTP2_FLAG_NONE, nullptr, 0);
  }
  ~Pair() {
    nghttp2_session_del(client_);
    nghttp2_session_del(server_);
  }
  Pair(const Pair&) = delete;
  Pair& operator=(const Pair&) = delete;

  // `streams` GETs at once, each answered with a 2,048-byte body; returns the closes.
  int round(int streams) {
    closed_ = 0;
    for (int i = 0; i < streams; ++i) {
      const std::string path = "/page/" + std::to_string(i);
      const nghttp2_nv nva[] = {
          nv(":method", "GET"), nv(":scheme", "http"), nv(":authority", "localhost"), nv(":path", path)};
      if (nghttp2_submit_request(client_, nullptr, nva, 4, nullptr, nullptr) < 0) return -1;
    }
    for (int turn = 0; turn < 100 && closed_ < streams; ++turn) {
      if (!pump(client_, server_) & !pump(server_, client_)) break;
    }
    return closed_;
  }

 private:
  // Views, not strings: a literal value must not become a temporary that dies
  // before nghttp2 copies it (ASan caught that).
  static nghttp2_nv nv(const char* name, std::string_view value) {
    return {reinterpret_cast<uint8_t*>(const_cast<char*>(name)),
            reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), std::strlen(name), value.size(),
            NGHTTP2_NV_FLAG_NONE};
  }
  static bool pump(nghttp2_session* from, nghttp2_session* to) {
    bool moved = false;
    for (;;) {
      const uint8_t* data = nullptr;
      const ssize_t n = nghttp2_session_mem_send(from, &data);
      if (n <= 0) return moved;
      moved = true;
      if (nghttp2_session_mem_recv(to, data, static_cast<std::size_t>(n)) != n) return moved;
    }
  }
  static int server_frame_recv(nghttp2_session* session, const nghttp2_frame* frame, void*) {
    if (frame->hd.type != NGHTTP2_HEADERS || (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) == 0) return 0;
    static const std::string status = "200", type = "text/html";
    const nghttp2_nv nva[] = {nv(":status", status), nv("content-type", type)};
    nghttp2_data_provider body{};
    body.read_callback = [](nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* flags,
                            nghttp2_data_source* source, void*) -> ssize_t {
      auto& left = source->fd;
      const auto n = static_cast<ssize_t>(std::min<size_t>(length, static_cast<size_t>(left)));
      std::memset(buf, 'a', static_cast<size_t>(n));
      left -= static_cast<int>(n);
      if (left == 0) *flags |= NGHTTP2_DATA_FLAG_EOF;
      return n;
    };
    body.source.fd = 2048;
    return nghttp2_submit_response(session, frame->hd.stream_id, nva, 2, &body);
  }

  nghttp2_session* client_ = nullptr;
  nghttp2_session* server_ = nullptr;
  int closed_ = 0;
};

TEST(SessionMemory, AClientSessionInSteadyStateMakesNoSystemAllocation) {
  SessionMemory m;
  {
    Pair pair(m.recycling_mem());
    for (int i = 0; i < 5; ++i) ASSERT_EQ(pair.round(16), 16);  // shapes the session
    const auto after_warmup = m.system_allocations();
    EXPECT_GT(after_warmup, 0u);  // nghttp2 really allocates through it
    for (int i = 0; i < 200; ++i) ASSERT_EQ(pair.round(16), 16);
    EXPECT_EQ(m.system_allocations(), after_warmup) << "3,200 more requests reached malloc";
  }
}

TEST(SessionMemory, LibcUnderAddressSanitizerElseTheFreeLists) {
  SessionMemory m;
  if constexpr (SessionMemory::kRecycles) {
    EXPECT_EQ(m.mem(), m.recycling_mem());
  } else {
    EXPECT_EQ(m.mem(), nullptr);
  }
}

}  // namespace
}  // namespace h2soak::common
