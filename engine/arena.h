// A bump allocator for the many small, immutable objects of a loaded ruleset
// (extension instances, their strings).  Nothing is freed individually;
// everything goes with the arena.  Objects placed here are destroyed (not
// freed) through ArenaDelete.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace iptsim {

class Arena {
 public:
  Arena() = default;
  ~Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  void* Allocate(size_t size, size_t align) {
    size_t pad = (align - reinterpret_cast<uintptr_t>(cur_) % align) % align;
    if (size + pad > left_) {
      NewBlock(size + align);
      pad = (align - reinterpret_cast<uintptr_t>(cur_) % align) % align;
    }
    char* p = cur_ + pad;
    cur_ = p + size;
    left_ -= size + pad;
    return p;
  }
  // A copy of s that lives as long as the arena.
  std::string_view Intern(std::string_view s) {
    if (s.empty()) return {};
    char* p = static_cast<char*>(Allocate(s.size(), 1));
    memcpy(p, s.data(), s.size());
    return std::string_view(p, s.size());
  }
  size_t bytes() const { return total_; }

 private:
  struct Block {
    void* addr;
    size_t size;
  };
  void NewBlock(size_t at_least);
  static constexpr size_t kBlock = 256 * 1024;
  std::vector<Block> blocks_;
  char* cur_ = nullptr;
  size_t left_ = 0;
  size_t total_ = 0;
};

// Deleter for objects placed in an Arena: runs the destructor only.
struct ArenaDelete {
  template <typename T>
  void operator()(T* p) const {
    p->~T();
  }
};

}  // namespace iptsim
