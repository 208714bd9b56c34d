// State that lives for one run of the simulator (all packets of one
// `iptsim trace` / `iptsim verify` invocation), as the kernel's extension
// state lives for the lifetime of a loaded ruleset: statistic's nth
// counters, limit/hashlimit buckets, recent lists, quotas, and the random
// source for `--seed`.  Packets of one run see each other's effects, in order.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

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
  // The generator is std::mt19937_64, whose output sequence the C++ standard
  // fixes exactly; draws map its 64-bit outputs themselves (never through
  // std:: distributions, whose results differ between library
  // implementations), so a seed gives the same choices on every machine.
  std::mt19937_64& rng() { return rng_; }
  // A uniform draw in [0, 1): the top 53 bits of the next output, times 2^-53.
  double Uniform() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }

  // A random yes/no decision that is yes with probability p31 / 2^31
  // (0 < p31 < 2^31), as statistic's `(prandom_u32() & 0x7fffffff) < p31`:
  //  - exploring (Explore()): the next forced choice, yes beyond the forced
  //    prefix (the explorer flips the last yes of a run to reach the rest);
  //  - seeded: the top 31 bits of the generator's next output, r = x >> 33,
  //    decide: yes when r < p31;
  //  - otherwise nullopt (the caller reports "unknown").
  // Every decision taken is recorded in choices().
  struct Choice {
    bool yes;
    uint32_t p31;  // probability of yes, in units of 2^-31
  };
  std::optional<bool> Decide(uint32_t p31) {
    bool yes;
    if (exploring_) {
      yes = choices_.size() < forced_.size() ? forced_[choices_.size()] : true;
    } else if (seeded_) {
      yes = static_cast<uint32_t>(rng_() >> 33) < p31;
    } else {
      return std::nullopt;
    }
    choices_.push_back({yes, p31});
    if (record_) record_->push_back({yes, p31});
    return yes;
  }
  // --explore: random decisions follow `forced`, then say yes; each
  // decision is also appended to *record (when not nullptr), which must
  // outlive the run.
  void Explore(std::vector<bool> forced, std::vector<Choice>* record = nullptr) {
    exploring_ = true;
    forced_ = std::move(forced);
    record_ = record;
  }
  bool exploring() const { return exploring_; }
  const std::vector<Choice>& choices() const { return choices_; }

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
  bool exploring_ = false;
  std::vector<bool> forced_;
  std::vector<Choice> choices_;
  std::vector<Choice>* record_ = nullptr;
  std::unordered_map<const void*, std::unique_ptr<ExtState>> by_object_;
  std::unordered_map<std::string, std::unique_ptr<ExtState>> by_name_;
};

}  // namespace iptsim
