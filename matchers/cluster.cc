// Extension: cluster (match, IPv4 IPv6)
// Synopsis: -m cluster --cluster-total-nodes N
//   {[!] --cluster-local-node I | [!] --cluster-local-nodemask MASK}
//   --cluster-hash-seed SEED
// Semantics: hashes the connection's original source address (of the master
//   connection for related ones) with SEED into one of N buckets and matches
//   when that bucket's bit is in MASK (--cluster-local-node I is the mask
//   1 << (I-1)); untracked packets never match.  Also turns multicast-MAC
//   packets into PACKET_HOST ones.  N and I are 1..32, MASK 1..32 (as
//   iptables reads it) and must be below 1 << N; total nodes and hash seed are
//   mandatory, and one of local node / node mask.  No table or hook
//   restriction.  Saved as --cluster-local-nodemask 0x%08x
//   --cluster-total-nodes N --cluster-hash-seed 0x%08x; as with iptables, a
//   saved mask above 32 (local node 7 and up) does not load back.
// Example: -m cluster --cluster-total-nodes 2 --cluster-local-node 1 --cluster-hash-seed 0xdeadbeef
// Evaluation: yes (the multicast-to-host pkt_type change is not modelled: nothing shows it)
#include <cstdio>
#include <cstring>

#include "base/jhash.h"
#include "engine/nat.h"

#include "matchers/ct_common.h"
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

enum Opt { kTotal, kLocalNode, kLocalMask, kSeed, kN };

constexpr OptionSpec kOptions[] = {
    {"cluster-total-nodes", 1, false},
    {"cluster-local-node", 1, true},
    {"cluster-local-nodemask", 1, true},
    {"cluster-hash-seed", 1, false},
};

constexpr uint32_t kMaxNodes = 32;  // XT_CLUSTER_NODES_MAX

std::string Hex8(uint32_t v) {
  char buf[16];
  snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

class ClusterMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext&) override {
    Status s = OnlyOnce(&given_[option], kOptions[option].name);
    if (!s.ok()) return s;
    if (option == kLocalNode && given_[kLocalMask])
      return Status::Error(
          "'--cluster-local-node' cannot be used together with '--cluster-local-nodemask'");
    if (option == kLocalMask && given_[kLocalNode])
      return Status::Error(
          "'--cluster-local-nodemask' cannot be used together with '--cluster-local-node'");
    switch (option) {
      case kTotal:
        return ParseUIntArgT(args, 0, 1, kMaxNodes, "number of nodes", &total_nodes);
      case kLocalNode: {
        uint32_t node = 1;
        s = ParseUIntArgT(args, 0, 1, kMaxNodes, "node number", &node);
        if (!s.ok()) return s;
        node_mask = 1u << (node - 1);
        invert_ = invert;
        return {};
      }
      case kLocalMask:
        s = ParseUIntArgT(args, 0, 1, kMaxNodes, "node mask", &node_mask);
        if (!s.ok()) return s;
        invert_ = invert;
        return {};
      case kSeed:
        return ParseUIntArgT(args, 0, 0, 0xffffffff, "hash seed", &hash_seed);
    }
    return {};
  }

  Status Finish(const ParseContext&) override {
    if (!given_[kTotal]) return Status::Error("'--cluster-total-nodes N' is required");
    if (!given_[kSeed]) return Status::Error("'--cluster-hash-seed SEED' is required");
    if (!given_[kLocalNode] && !given_[kLocalMask])
      return Status::Error("'--cluster-local-node I' or '--cluster-local-nodemask MASK' is required");
    if (uint64_t{node_mask} >= (uint64_t{1} << total_nodes)) {
      if (given_[kLocalNode])
        return Status::Error("--cluster-local-node must not be greater than --cluster-total-nodes (" +
                             std::to_string(total_nodes) + ")");
      return Status::Error("--cluster-local-nodemask " + Hex(node_mask) + " has bits beyond " +
                           std::to_string(total_nodes) + " nodes");
    }
    return {};
  }

  void Save(std::string& out, const SaveContext&) const override {
    SaveOpt(out, "cluster-local-nodemask", Hex8(node_mask), invert_);
    SaveOpt(out, "cluster-total-nodes", std::to_string(total_nodes));
    SaveOpt(out, "cluster-hash-seed", Hex8(hash_seed));
  }
  bool invert() const { return invert_; }

  // xt_cluster_mt: the bucket of the connection's original source address
  // (there are no master connections in iptsim).
  Tri Evaluate(const PacketView&, EvalContext& ctx) const override {
    if (!ctx.ct || !ctx.ct->entry) return Tri::kFalse;
    const CtTuple& t = ctx.ct->entry->tuple[kCtOriginal];
    uint32_t w[4];
    memcpy(w, t.src.b.data(), 16);
    uint32_t hash = t.family == Family::kIPv4 ? Jhash1Word(w[0], hash_seed)
                                               : Jhash2(w, 4, hash_seed);
    uint32_t bucket = static_cast<uint32_t>((uint64_t{hash} * total_nodes) >> 32);
    return ToTri((((1ull << bucket) & node_mask) != 0) != invert_);
  }

  uint32_t total_nodes = 0, node_mask = 0, hash_seed = 0;

 private:
  bool given_[kN] = {};
  bool invert_ = false;
};

}  // namespace

extern const ExtensionInfo kClusterMatch = {
    .name = "cluster",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .enables_conntrack = true,
    .create = Create<ClusterMatch>,
};

}  // namespace iptsim
