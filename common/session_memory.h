#pragma once
// nghttp2's memory for one session (nghttp2_mem). Blocks of up to kLargest
// bytes are kept on per-size free lists when nghttp2 frees them and handed out
// again, so a session in steady state (streams opening and closing, header
// blocks decoded, frames queued) makes no call into malloc or free. The
// profile that asked for it: glibc's malloc/free were ~1.7k instructions per
// request on the client, about a sixth of its user-space cost.
//
// Contract:
// - one session, one thread: nothing is locked;
// - pass mem() to nghttp2_session_*_new3 and destroy the SessionMemory after
//   nghttp2_session_del (declare it before the session pointer); the free
//   lists are released then, so a session's memory lasts as long as the
//   session and its peak is what it keeps;
// - under AddressSanitizer mem() is nullptr (nghttp2 then uses libc), so the
//   sanitizer still sees every one of nghttp2's allocations.
//
// nghttp2 frees without saying the size, so each block carries a 16-byte
// header with its size class; larger blocks go straight to malloc with the
// same header.

#include <nghttp2/nghttp2.h>

#include <array>
#include <cstddef>
#include <cstdint>

namespace h2soak::common {

class SessionMemory {
 public:
  static constexpr std::size_t kGranule = 16;   // class k holds (k + 1) * kGranule bytes
  static constexpr std::size_t kLargest = 1024;  // larger requests go to malloc each time
#if defined(__SANITIZE_ADDRESS__)
  static constexpr bool kRecycles = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  static constexpr bool kRecycles = false;
#else
  static constexpr bool kRecycles = true;
#endif
#else
  static constexpr bool kRecycles = true;
#endif

  SessionMemory();
  ~SessionMemory();
  SessionMemory(const SessionMemory&) = delete;
  SessionMemory& operator=(const SessionMemory&) = delete;

  // The allocator to give nghttp2, or nullptr for libc's (sanitizer builds).
  nghttp2_mem* mem() { return kRecycles ? &mem_ : nullptr; }
  // The free-list allocator itself, in every build (for its tests).
  nghttp2_mem* recycling_mem() { return &mem_; }

  // Calls made into malloc (and realloc) so far: flat once a session has
  // reached its peak. For tests and benchmarks.
  std::uint64_t system_allocations() const { return system_allocations_; }

  void* allocate(std::size_t size);
  void release(void* ptr);
  void* reallocate(void* ptr, std::size_t size);

 private:
  struct FreeBlock {
    FreeBlock* next;
  };
  static constexpr std::size_t kClasses = kLargest / kGranule;

  std::array<FreeBlock*, kClasses> free_{};
  std::uint64_t system_allocations_ = 0;
  nghttp2_mem mem_{};
};

}  // namespace h2soak::common
