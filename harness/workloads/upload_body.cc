#include "harness/workloads/upload_body.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cmath>

namespace h2soak::workloads {
namespace {
EVP_MD_CTX* ctx_of(void* p) { return static_cast<EVP_MD_CTX*>(p); }

std::string to_hex(const unsigned char* d, unsigned n) {
  static const char* kHex = "0123456789abcdef";
  std::string s(n * 2, '0');
  for (unsigned i = 0; i < n; ++i) {
    s[2 * i] = kHex[d[i] >> 4];
    s[2 * i + 1] = kHex[d[i] & 15];
  }
  return s;
}

// The value after "\"key\":" (whitespace allowed), unquoted; empty if absent.
std::string_view json_field(std::string_view text, std::string_view key) {
  std::string quoted = "\"" + std::string(key) + "\"";
  auto k = text.find(quoted);
  if (k == std::string_view::npos) return {};
  auto p = k + quoted.size();
  while (p < text.size() && (text[p] == ' ' || text[p] == ':')) ++p;
  if (p >= text.size()) return {};
  if (text[p] == '"') {
    auto e = text.find('"', p + 1);
    return e == std::string_view::npos ? std::string_view{} : text.substr(p + 1, e - p - 1);
  }
  auto e = p;
  while (e < text.size() && text[e] >= '0' && text[e] <= '9') ++e;
  return text.substr(p, e - p);
}
}  // namespace

UploadBody::UploadBody(std::size_t max_size) {
  auto s = std::make_shared<std::string>(max_size, '\0');
  // A pattern that does not repeat with the SHA block size, so that a
  // misplaced byte changes the digest.
  std::uint32_t x = 0x9e3779b9u;
  for (std::size_t i = 0; i < max_size; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    (*s)[i] = static_cast<char>('a' + (x % 26));
  }
  bytes_ = s;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  for (std::size_t off = 0;; off += kCheckpoint) {
    EVP_MD_CTX* copy = EVP_MD_CTX_new();
    EVP_MD_CTX_copy_ex(copy, ctx);
    checkpoints_.push_back(copy);
    if (off + kCheckpoint > max_size) break;
    EVP_DigestUpdate(ctx, s->data() + off, kCheckpoint);
  }
  EVP_MD_CTX_free(ctx);
}

UploadBody::~UploadBody() {
  for (void* c : checkpoints_) EVP_MD_CTX_free(ctx_of(c));
}

std::string UploadBody::digest_hex(std::size_t size) const {
  size = std::min(size, max_size());
  const std::size_t i = std::min(size / kCheckpoint, checkpoints_.size() - 1);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_MD_CTX_copy_ex(ctx, ctx_of(checkpoints_[i]));
  const std::size_t off = i * kCheckpoint;
  if (size > off) EVP_DigestUpdate(ctx, bytes_->data() + off, size - off);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  EVP_DigestFinal_ex(ctx, md, &n);
  EVP_MD_CTX_free(ctx);
  return to_hex(md, n);
}

SizeSampler::SizeSampler(scenario::SizeRange range, scenario::SizeDistribution distribution)
    : range_(range), distribution_(distribution), uniform_(range.min, std::max(range.min, range.max)) {
  const double lo = std::log(static_cast<double>(std::max<std::uint64_t>(1, range.min)));
  const double hi = std::log(static_cast<double>(std::max<std::uint64_t>(1, range.max)));
  normal_ = std::normal_distribution<double>((lo + hi) / 2, std::max(1e-9, (hi - lo) / 6));
}

std::size_t SizeSampler::next(std::mt19937_64& rng) {
  if (range_.max <= range_.min) return range_.min;
  if (distribution_ == scenario::SizeDistribution::kUniform) return uniform_(rng);
  const double v = std::exp(normal_(rng));
  return static_cast<std::size_t>(
      std::clamp(v, static_cast<double>(range_.min), static_cast<double>(range_.max)));
}

ReplyCheck check_upload_reply(std::string_view reply, std::size_t size, std::string_view sha256_hex) {
  const auto got_size = json_field(reply, "size");
  const auto got_digest = json_field(reply, "sha256");
  if (got_size.empty() || got_digest.empty()) return ReplyCheck::kNoDigest;
  if (got_size != std::to_string(size)) return ReplyCheck::kSizeMismatch;
  if (got_digest.size() != sha256_hex.size()) return ReplyCheck::kDigestMismatch;
  for (std::size_t i = 0; i < got_digest.size(); ++i) {
    char c = got_digest[i];
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (c != sha256_hex[i]) return ReplyCheck::kDigestMismatch;
  }
  return ReplyCheck::kMatch;
}

}  // namespace h2soak::workloads
