#include "common/session_memory.h"

#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

namespace h2soak::common {

namespace {
// In front of every block; 16 bytes keep the block as aligned as malloc's.
struct alignas(16) Header {
  std::uint32_t size_class;
};
static_assert(sizeof(Header) == 16);
constexpr std::uint32_t kLargeClass = std::numeric_limits<std::uint32_t>::max();

Header* header_of(void* ptr) { return static_cast<Header*>(ptr) - 1; }
std::size_t class_bytes(std::uint32_t size_class) { return (size_class + 1) * SessionMemory::kGranule; }
}  // namespace

SessionMemory::SessionMemory() {
  mem_.mem_user_data = this;
  mem_.malloc = [](std::size_t size, void* self) { return static_cast<SessionMemory*>(self)->allocate(size); };
  mem_.free = [](void* ptr, void* self) { static_cast<SessionMemory*>(self)->release(ptr); };
  mem_.calloc = [](std::size_t n, std::size_t size, void* self) -> void* {
    if (size != 0 && n > std::numeric_limits<std::size_t>::max() / size) return nullptr;
    void* p = static_cast<SessionMemory*>(self)->allocate(n * size);
    if (p != nullptr) std::memset(p, 0, n * size);
    return p;
  };
  mem_.realloc = [](void* ptr, std::size_t size, void* self) {
    return static_cast<SessionMemory*>(self)->reallocate(ptr, size);
  };
}

SessionMemory::~SessionMemory() {
  for (FreeBlock* head : free_) {
    while (head != nullptr) {
      FreeBlock* next = head->next;
      std::free(header_of(head));
      head = next;
    }
  }
}

void* SessionMemory::allocate(std::size_t size) {
  if (size > kLargest) {
    if (size > std::numeric_limits<std::size_t>::max() - sizeof(Header)) return nullptr;
    ++system_allocations_;
    auto* h = static_cast<Header*>(std::malloc(sizeof(Header) + size));
    if (h == nullptr) return nullptr;
    h->size_class = kLargeClass;
    return h + 1;
  }
  const auto size_class = static_cast<std::uint32_t>(size == 0 ? 0 : (size - 1) / kGranule);
  if (FreeBlock* block = free_[size_class]; block != nullptr) {
    free_[size_class] = block->next;
    return block;
  }
  ++system_allocations_;
  auto* h = static_cast<Header*>(std::malloc(sizeof(Header) + class_bytes(size_class)));
  if (h == nullptr) return nullptr;
  h->size_class = size_class;
  return h + 1;
}

void SessionMemory::release(void* ptr) {
  if (ptr == nullptr) return;
  Header* h = header_of(ptr);
  if (h->size_class == kLargeClass) {
    std::free(h);
    return;
  }
  auto* block = ::new (ptr) FreeBlock{free_[h->size_class]};
  free_[h->size_class] = block;
}

void* SessionMemory::reallocate(void* ptr, std::size_t size) {
  if (ptr == nullptr) return allocate(size);
  Header* h = header_of(ptr);
  if (h->size_class == kLargeClass) {  // stays a large block, whatever the new size
    if (size > std::numeric_limits<std::size_t>::max() - sizeof(Header)) return nullptr;
    ++system_allocations_;
    auto* moved = static_cast<Header*>(std::realloc(h, sizeof(Header) + size));
    return moved == nullptr ? nullptr : moved + 1;
  }
  const std::size_t held = class_bytes(h->size_class);
  if (size <= held) return ptr;
  void* bigger = allocate(size);
  if (bigger == nullptr) return nullptr;  // ptr stays valid, as with realloc
  std::memcpy(bigger, ptr, held);
  release(ptr);
  return bigger;
}

}  // namespace h2soak::common
