// State that lives for one run of the simulator (all packets of one
// `iptsim trace` / `iptsim verify` invocation), as the kernel's extension
// state lives for the lifetime of a loaded ruleset: statistic's nth
// counters, limit/hashlimit buckets, recent lists, quotas, and the random
// source for `--seed`.  Packets of one run see each other's effects, in order.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>

namespace iptsim {

// Base of every piece of per-run state (so RunState can own them).
struct ExtState {
  virtual ~ExtState() = default;
};

class RunState {
 public:
  RunState() = default;
  // A seeded run: random decisions (statistic --mode random, NAT --random,
  // HMARK...) come from a generator with this seed, reproducibly.
  explicit RunState(uint64_t seed) : seeded_(true), seed_(seed), rng_(seed) {}

  bool seeded() const { return seeded_; }
  uint64_t seed() const { return seed_; }
  std::mt19937_64& rng() { return rng_; }
  // A uniform draw in [0, 1) from the seeded generator.
  double Uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); }

  // The state of one rule's extension (key: the Match/Target object), made
  // with T's default constructor on first use.
  template <class T>
  T& For(const void* key) {
    std::unique_ptr<ExtState>& slot = by_object_[key];
    if (!slot) slot = std::make_unique<T>();
    return static_cast<T&>(*slot);
  }
  // State shared by name across rules (recent's --name, hashlimit's
  // --hashlimit-name, ipsets): `kind` keeps extensions apart.
  template <class T>
  T& Named(std::string_view kind, std::string_view name) {
    std::string key(kind);
    key += '\0';
    key += name;
    std::unique_ptr<ExtState>& slot = by_name_[key];
    if (!slot) slot = std::make_unique<T>();
    return static_cast<T&>(*slot);
  }

 private:
  bool seeded_ = false;
  uint64_t seed_ = 0;
  std::mt19937_64 rng_;
  std::unordered_map<const void*, std::unique_ptr<ExtState>> by_object_;
  std::unordered_map<std::string, std::unique_ptr<ExtState>> by_name_;
};

}  // namespace iptsim
