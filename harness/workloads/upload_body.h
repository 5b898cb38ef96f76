#pragma once
// Upload bodies without a copy per request, and their digests without hashing
// each whole body again. An UploadBody is one deterministic pattern buffer of
// the largest upload size; an upload of size S sends its first S bytes
// (net::Body::length), streamed frame by frame by the engine's data provider.
// The SHA-256 of every prefix is cheap: the hash state is saved every
// kCheckpoint bytes once at construction (OpenSSL EVP), so digest_hex(S)
// copies the nearest checkpoint and hashes at most kCheckpoint - 1 bytes.
//
// Built once per worker before the load starts; read-only afterwards (one
// worker thread), so no locking.

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "harness/net/request.h"
#include "harness/scenario/scenario.h"

namespace h2soak::workloads {

class UploadBody {
 public:
  static constexpr std::size_t kCheckpoint = 64 * 1024;

  explicit UploadBody(std::size_t max_size);
  ~UploadBody();
  UploadBody(const UploadBody&) = delete;
  UploadBody& operator=(const UploadBody&) = delete;

  std::size_t max_size() const { return bytes_->size(); }
  // The first `size` bytes (size <= max_size()).
  net::Body body(std::size_t size) const { return net::Body{bytes_, size}; }
  // Lower-case hex SHA-256 of the first `size` bytes.
  std::string digest_hex(std::size_t size) const;

 private:
  std::shared_ptr<const std::string> bytes_;
  std::vector<void*> checkpoints_;  // EVP_MD_CTX* after i * kCheckpoint bytes
};

// Draws upload sizes from the scenario's range and distribution:
// uniform in [min, max], or log-normal with ln(size) centred on the geometric
// middle of the range and ±3σ spanning it, clamped to [min, max].
class SizeSampler {
 public:
  SizeSampler(scenario::SizeRange range, scenario::SizeDistribution distribution);
  std::size_t next(std::mt19937_64& rng);

 private:
  scenario::SizeRange range_;
  scenario::SizeDistribution distribution_;
  std::uniform_int_distribution<std::uint64_t> uniform_;
  std::normal_distribution<double> normal_;
};

// What the server's reply says about an upload, checked against what was sent.
enum class ReplyCheck { kMatch, kNoDigest, kSizeMismatch, kDigestMismatch };
// `reply` is the response body, e.g. {"size":1234,"sha256":"ab12..."}. A
// reply without both fields is kNoDigest (nothing to verify).
ReplyCheck check_upload_reply(std::string_view reply, std::size_t size, std::string_view sha256_hex);

}  // namespace h2soak::workloads
