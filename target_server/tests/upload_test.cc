#include "target_server/handlers/upload.h"

#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <string>
#include <vector>

namespace h2soak::server {
namespace {

std::string reference_sha256(const std::vector<uint8_t>& data) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(data.data(), data.size(), md);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : md) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::vector<uint8_t> pattern(size_t n) {
  std::vector<uint8_t> v(n);
  uint32_t x = 12345;
  for (auto& b : v) {
    x = x * 1103515245u + 12345u;
    b = static_cast<uint8_t>(x >> 16);
  }
  return v;
}

constexpr uint64_t kLimit = 16u << 20;

TEST(UploadTest, KnownDigests) {
  UploadHasher empty(kLimit);
  EXPECT_EQ(empty.finish_hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  UploadHasher abc(kLimit);
  abc.update(reinterpret_cast<const uint8_t*>("abc"), 3);
  EXPECT_EQ(abc.finish_hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(UploadTest, SizesInChunks) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{16 * 1024}, size_t{4u << 20}}) {
    auto data = pattern(size);
    UploadHasher h(kLimit);
    // Odd chunk sizes, as a transport would deliver them.
    for (size_t off = 0; off < size;) {
      size_t n = std::min<size_t>(size - off, 1000 + off % 7777);
      h.update(data.data() + off, n);
      off += n;
    }
    EXPECT_EQ(h.size(), size);
    EXPECT_FALSE(h.over_limit());
    EXPECT_EQ(h.finish_hex(), reference_sha256(data)) << size;
  }
}

TEST(UploadTest, LimitIsExactlyInclusive) {
  std::vector<uint8_t> chunk(64 * 1024, 0x5a);
  UploadHasher at(kLimit);
  for (uint64_t sent = 0; sent < kLimit; sent += chunk.size()) at.update(chunk.data(), chunk.size());
  EXPECT_EQ(at.size(), kLimit);
  EXPECT_FALSE(at.over_limit());
  UploadHasher over(kLimit);
  for (uint64_t sent = 0; sent < kLimit; sent += chunk.size()) over.update(chunk.data(), chunk.size());
  over.update(chunk.data(), 1);
  EXPECT_EQ(over.size(), kLimit + 1);
  EXPECT_TRUE(over.over_limit());
}

TEST(UploadTest, HandlerRepliesJsonOr413) {
  WorkerStats stats;
  Request req;
  req.method = "POST";
  {
    UploadHandler h(req, 10, stats);
    EXPECT_FALSE(h.on_headers());
    h.on_body(reinterpret_cast<const uint8_t*>("abc"), 3);
    Response r = h.respond();
    EXPECT_EQ(r.status, 200);
    uint8_t buf[256];
    Pull p = r.body->proceed(buf, sizeof buf);
    EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), p.n),
              "{\"size\":3,\"sha256\":\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"}\n");
  }
  {
    UploadHandler h(req, 10, stats);
    h.on_body(reinterpret_cast<const uint8_t*>("0123456789x"), 11);
    EXPECT_EQ(h.respond().status, 413);
  }
  req.headers.push_back({"content-length", "11"});
  UploadHandler early(req, 10, stats);
  auto r = early.on_headers();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(r->close_connection);
  EXPECT_EQ(stats.upload_bytes.get(), 14u);
}

}  // namespace
}  // namespace h2soak::server
