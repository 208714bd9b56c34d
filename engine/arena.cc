#include "engine/arena.h"

#include <sys/mman.h>

#include <new>

namespace iptsim {

Arena::~Arena() {
  for (const Block& b : blocks_) munmap(b.addr, b.size);
}

void Arena::NewBlock(size_t at_least) {
  size_t n = at_least > kBlock ? (at_least + 4095) / 4096 * 4096 : kBlock;
  // Populated in one call: a block is filled front to back anyway, and one
  // mmap is much cheaper than a page fault for each of its pages.
  void* p = mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
                 -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  blocks_.push_back({p, n});
  cur_ = static_cast<char*>(p);
  left_ = n;
  total_ += n;
}

}  // namespace iptsim
