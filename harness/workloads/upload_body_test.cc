#include "harness/workloads/upload_body.h"

#include <gtest/gtest.h>
#include <openssl/sha.h>

namespace h2soak::workloads {
namespace {

std::string sha_hex(const std::string& s, std::size_t n) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), n, md);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : md) out += kHex[c >> 4], out += kHex[c & 15];
  return out;
}

TEST(UploadBody, PrefixDigestsMatchDirectHashing) {
  const std::size_t max = 3 * UploadBody::kCheckpoint + 777;
  UploadBody body(max);
  const std::string& bytes = *body.body(max).bytes;
  ASSERT_EQ(bytes.size(), max);
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, UploadBody::kCheckpoint - 1, UploadBody::kCheckpoint,
                        UploadBody::kCheckpoint + 1, 2 * UploadBody::kCheckpoint + 5, 3 * UploadBody::kCheckpoint,
                        max})
    EXPECT_EQ(body.digest_hex(n), sha_hex(bytes, n)) << n;
  EXPECT_EQ(body.body(100).size(), 100u);
  EXPECT_NE(body.digest_hex(100), body.digest_hex(101));
}

TEST(UploadBody, ReplyCheck) {
  UploadBody body(1000);
  const std::string d = body.digest_hex(1000);
  EXPECT_EQ(check_upload_reply("{\"size\":1000,\"sha256\":\"" + d + "\"}", 1000, d), ReplyCheck::kMatch);
  EXPECT_EQ(check_upload_reply("{\"size\": 999, \"sha256\": \"" + d + "\"}", 1000, d), ReplyCheck::kSizeMismatch);
  std::string bad = d;
  bad[5] = bad[5] == '0' ? '1' : '0';
  EXPECT_EQ(check_upload_reply("{\"size\":1000,\"sha256\":\"" + bad + "\"}", 1000, d), ReplyCheck::kDigestMismatch);
  EXPECT_EQ(check_upload_reply("{\"error\":\"payload too large\"}", 1000, d), ReplyCheck::kNoDigest);
}

TEST(SizeSampler, StaysInRangeForBothDistributions) {
  std::mt19937_64 rng(1);
  for (auto dist : {scenario::SizeDistribution::kUniform, scenario::SizeDistribution::kLogNormal}) {
    SizeSampler s({1024, 1 << 20}, dist);
    std::uint64_t below_mid = 0;
    for (int i = 0; i < 10000; ++i) {
      const auto v = s.next(rng);
      ASSERT_GE(v, 1024u);
      ASSERT_LE(v, 1u << 20);
      if (v < 32768) ++below_mid;  // 32 KiB = geometric middle
    }
    if (dist == scenario::SizeDistribution::kLogNormal) EXPECT_NEAR(below_mid, 5000, 400);
    else EXPECT_LT(below_mid, 500u);
  }
}

}  // namespace
}  // namespace h2soak::workloads
