#include "engine/defrag.h"

#include <algorithm>

#include "base/bytes.h"
#include "engine/conntrack_trackers.h"

namespace iptsim {

namespace {

// One fragment as its headers describe it.
struct Fragment {
  std::string key;     // the datagram it belongs to, without the family
  std::string source;  // IPv4: the source address (the inet_peer of ipfrag_max_dist)
  uint32_t off = 0;    // its data's offset in the datagram
  uint32_t end = 0;    // the end of its data as its length field says
  bool more = false;   // more fragments follow (MF / M)
  bool df = false;     // IPv4: DF set
  uint8_t ecn = 0;     // IPFRAG_ECN_* of its ECN field
  size_t data_at = 0;  // its data in the packet's bytes
  std::vector<uint8_t> head;  // the headers before the fragment's data
  bool truncated_first = false;  // IPv6: a first fragment without its upper-layer header
};

// ip4_frag_ecn / ip6_frag_ecn: one bit per ECN codepoint.
uint8_t FragEcn(uint8_t tos) { return static_cast<uint8_t>(1u << (tos & 3)); }

// ip_frag_ecn_table: the ECN of the whole datagram, 0xff for a mix the
// kernel refuses (not-ECT with ECT or CE).
uint8_t ReassembledEcn(uint8_t bits) {
  if (bits & 1) return bits == 1 ? 0 : 0xff;
  return (bits & 8) && (bits & 6) ? 3 : 0;  // CE with ECT: CE
}

// An IPv4 fragment (ip_defrag's view of the header); false when the packet
// is no fragment or its lengths do not hold one.
bool ReadFragment4(const std::vector<uint8_t>& b, Fragment* f) {
  if (b.size() < 20) return false;
  const uint16_t frag = GetBe16(b.data() + 6);
  if (!(frag & 0x3fff)) return false;
  const size_t ihl = (b[0] & 0x0f) * 4u;
  const size_t tot = GetBe16(b.data() + 2);
  if (ihl < 20 || tot < ihl || tot > b.size()) return false;
  f->off = (frag & 0x1fffu) * 8u;
  f->end = f->off + static_cast<uint32_t>(tot - ihl);
  f->more = frag & 0x2000;
  f->df = frag & 0x4000;
  f->ecn = FragEcn(b[1]);
  f->data_at = ihl;
  f->source.assign(reinterpret_cast<const char*>(b.data() + 12), 4);
  f->key.assign(reinterpret_cast<const char*>(b.data() + 12), 8);  // src, dst
  f->key.append(reinterpret_cast<const char*>(b.data() + 4), 2);   // id
  f->key.push_back(static_cast<char>(b[9]));                        // protocol
  f->head.assign(b.begin(), b.begin() + static_cast<long>(ihl));
  return true;
}

// ipv6frag_thdr_truncated: whether a first fragment (its upper-layer
// header at `at`, protocol `nh`) lacks that header.
bool ThdrTruncated(const std::vector<uint8_t>& b, size_t at, uint8_t nh, size_t len) {
  while (nh == 0 || nh == 43 || nh == 60 || nh == 51) {
    if (at + 8 > len) return false;  // ipv6_skip_exthdr fails: not truncated
    const size_t hl = nh == 51 ? (b[at + 1] + 2u) * 4u : (b[at + 1] + 1u) * 8u;
    nh = b[at];
    at += hl;
  }
  const size_t need = nh == 6 ? 20 : nh == 17 ? 8 : nh == 58 ? 8 : nh == 59 ? 0 : 1;
  return at + need > len;
}

// An IPv6 fragment: the fragment header after hop-by-hop, routing,
// destination options and AH headers.  False when there is none, it is cut
// short, it is an atomic fragment (offset 0, no more fragments), which
// goes on as it is, or a jumbogram (payload length 0).
bool ReadFragment6(const std::vector<uint8_t>& b, Fragment* f) {
  if (b.size() < 40) return false;
  const size_t payload_len = GetBe16(b.data() + 4);
  if (payload_len == 0) return false;
  uint8_t nh = b[6];
  size_t at = 40, nh_at = 6;
  while (nh == 0 || nh == 43 || nh == 60 || nh == 51) {
    if (at + 8 > b.size()) return false;
    size_t len = nh == 51 ? (b[at + 1] + 2u) * 4u : (b[at + 1] + 1u) * 8u;
    nh_at = at;
    nh = b[at];
    at += len;
  }
  if (nh != 44 || at + 8 > b.size()) return false;
  const uint16_t fo = GetBe16(b.data() + at + 2);
  f->off = fo & 0xfff8u;
  f->more = fo & 1;
  if (!f->off && !f->more) return false;
  f->data_at = at + 8;
  // nf_ct_frag6_queue: the end from the payload length (it may be short of
  // the fragment header: the fragment is then refused).
  f->end = static_cast<uint32_t>(f->off + payload_len + 40 - static_cast<long>(f->data_at));
  f->ecn = FragEcn(static_cast<uint8_t>(GetBe16(b.data()) >> 4));
  f->key.assign(reinterpret_cast<const char*>(b.data() + 8), 32);
  f->key.append(reinterpret_cast<const char*>(b.data() + at + 4), 4);  // identification
  f->head.assign(b.begin(), b.begin() + static_cast<long>(at));
  f->head[nh_at] = b[at];  // the fragment header's next header moves up
  if (f->off == 0)
    f->truncated_first = ThdrTruncated(b, f->data_at, b[at], std::min(b.size(), 40 + payload_len));
  return true;
}

enum class Insert : uint8_t { kOk, kDuplicate, kOverlap };

// inet_frag_queue_insert: a fragment past the end of the data so far
// extends the last run (when it starts where that ends) or starts a run; one
// inside a run is a duplicate; any other overlap refuses the datagram.
Insert InsertFragment(FragmentQueue& q, uint32_t off, uint32_t end) {
  auto& runs = q.runs;
  if (runs.empty()) {
    runs.push_back({off, end});
    return Insert::kOk;
  }
  FragmentRun& last = runs.back();
  if (end > last.end) {
    if (off < last.end) return Insert::kOverlap;
    if (off == last.end)
      last.end = end;
    else
      runs.push_back({off, end});
    return Insert::kOk;
  }
  for (const FragmentRun& r : runs) {
    if (end <= r.start || off >= r.end) continue;
    return off >= r.start && end <= r.end ? Insert::kDuplicate : Insert::kOverlap;
  }
  runs.insert(std::upper_bound(runs.begin(), runs.end(), off,
                               [](uint32_t o, const FragmentRun& r) { return o < r.start; }),
              FragmentRun{off, end});
  return Insert::kOk;
}

// The whole datagram of a complete queue: the first fragment's headers with
// the lengths (IPv4: also flags, offset and header checksum) made whole and
// the fragments' ECN, then the data.
std::vector<uint8_t> Reassemble(const FragmentQueue& q, Family family, uint8_t ecn) {
  std::vector<uint8_t> out = q.head;
  out.resize(q.head.size() + q.len);
  for (const auto& p : q.parts)
    std::copy(p.second.begin(), p.second.end(), out.begin() + static_cast<long>(q.head.size() + p.first));
  if (family == Family::kIPv4) {
    const size_t tot = out.size();
    out[1] |= ecn;
    out[2] = static_cast<uint8_t>(tot >> 8);
    out[3] = static_cast<uint8_t>(tot);
    // ip_frag_reasm: DF when the largest fragment had it.
    out[6] = q.max_df_size == q.max_size ? 0x40 : 0;
    out[7] = 0;
    out[10] = out[11] = 0;
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < q.head.size(); i += 2)
      sum += static_cast<uint32_t>(out[i] << 8 | out[i + 1]);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    out[10] = static_cast<uint8_t>(~sum >> 8);
    out[11] = static_cast<uint8_t>(~sum);
  } else {
    const size_t pl = out.size() - 40;
    out[4] = static_cast<uint8_t>(pl >> 8);
    out[5] = static_cast<uint8_t>(pl);
    out[1] |= static_cast<uint8_t>(ecn << 4);  // the traffic class's ECN bits
  }
  return out;
}

DefragResult Held(std::string why) { return {DefragStep::kHeld, std::move(why)}; }

}  // namespace

DefragResult Defragmenter::Add(Packet& pkt, bool local_out) {
  auto& b = pkt.bytes;
  const bool v4 = pkt.family == Family::kIPv4;
  Fragment f;
  if (!(v4 ? ReadFragment4(b, &f) : ReadFragment6(b, &f))) return {};
  // IPv4 refuses silently (ip_defrag frees the fragment: NF_STOLEN); IPv6
  // drops it (nf_ct_frag6_gather's error: NF_DROP).
  const DefragStep refused = v4 ? DefragStep::kStolen : DefragStep::kDropped;
  if (!v4 && f.truncated_first)
    return {DefragStep::kPass, "a first fragment without its upper-layer header is not reassembled"};
  const std::string key = std::string(1, static_cast<char>(pkt.family)) +
                          (local_out ? 'o' : 'i') + f.key;
  auto it = queues_.find(key);
  const double timeout = v4 ? kTimeout4 : kTimeout6;
  if (it != queues_.end() && pkt.time >= it->second.created + timeout) {
    queues_.erase(it);  // its timer ran out (ip_expire / nf_ct_frag6_expire)
    it = queues_.end();
  }
  if (it == queues_.end()) {
    it = queues_.emplace(key, FragmentQueue{}).first;
    it->second.created = pkt.time;
  }
  FragmentQueue& q = it->second;
  auto discard = [&](std::string why) {
    queues_.erase(key);
    return DefragResult{refused, std::move(why) + ": the whole datagram is discarded"};
  };
  if (v4) {
    // ip_frag_too_far: more than ipfrag_max_dist fragments from the same
    // source since this queue's last one start it over.
    const uint32_t rid = ++peer_rid_[f.source];
    if (!q.runs.empty() && rid - q.rid > kMaxDist4) {
      const FragmentQueue old = q;
      q = FragmentQueue{};
      q.max_size = old.max_size;
      q.max_df_size = old.max_df_size;
      q.created = pkt.time;
    }
    q.rid = rid;
  } else if (f.end > 65535) {
    return {refused, "a fragment ending past 65,535 bytes of payload"};
  }
  // The end of the datagram: the last fragment fixes it, and no fragment
  // may reach past it.
  if (!f.more) {
    if (f.end < q.len || (q.have_last && f.end != q.len)) {
      if (v4) return discard("a last fragment that ends before data already received");
      return {refused, "a last fragment that ends before data already received"};
    }
    q.have_last = true;
    q.len = f.end;
  } else {
    if (f.end & 7) {
      if (!v4) {
        queues_.erase(key);  // RFC 8200: the datagram is discarded, the fragment goes on
        return {DefragStep::kPass,
                "a fragment whose length is not a multiple of 8 discards its datagram and goes on "
                "unreassembled"};
      }
      f.end &= ~7u;  // the tail that is no multiple of 8 is cut
    }
    if (f.end > q.len) {
      if (q.have_last) {
        if (v4) return discard("a fragment past the end the last fragment gave");
        return {refused, "a fragment past the end the last fragment gave"};
      }
      q.len = f.end;
    }
  }
  if (f.end <= f.off) {
    if (v4) return discard("an empty fragment");
    return {refused, "an empty fragment"};
  }
  if (f.data_at + (f.end - f.off) > b.size()) {
    if (v4) return discard("a fragment cut short of its length");
    return {refused, "a fragment cut short of its length"};
  }
  switch (InsertFragment(q, f.off, f.end)) {
    case Insert::kOverlap:
      return discard("a fragment that overlaps one already received");
    case Insert::kDuplicate:
      // IPv4 frees it with an error, IPv6 pretends it was queued: both steal it.
      return {DefragStep::kStolen, "a duplicate of data already received, dropped alone"};
    case Insert::kOk:
      break;
  }
  const uint32_t size = f.end - f.off;
  q.parts.emplace_back(f.off, std::vector<uint8_t>(b.begin() + static_cast<long>(f.data_at),
                                                    b.begin() + static_cast<long>(f.data_at + size)));
  q.meat += size;
  q.ecn |= f.ecn;
  const uint32_t fragsize = size + static_cast<uint32_t>(f.head.size());
  q.max_size = std::max(q.max_size, fragsize);
  if (f.df) q.max_df_size = std::max(q.max_df_size, fragsize);
  if (f.off == 0) {
    q.have_first = true;
    q.head = std::move(f.head);
  }
  if (!q.have_first || !q.have_last || q.meat != q.len)
    return Held("held for reassembly by conntrack's defragmentation");
  // ip_frag_reasm / nf_ct_frag6_reasm: the queue ends either way.
  const size_t whole = q.head.size() + q.len - (v4 ? 0 : 40);
  const uint8_t ecn = ReassembledEcn(q.ecn);
  if (whole > 65535 || ecn == 0xff) {
    const std::string why = whole > 65535
        ? (v4 ? "the reassembled datagram is over 65,535 bytes (" + std::to_string(whole) + ")"
              : "the reassembled payload is over 65,535 bytes (" + std::to_string(whole) + ")")
        : std::string("its fragments mix not-ECT with ECT or CE");
    queues_.erase(key);
    return {DefragStep::kStolen, why + ": the whole datagram is discarded"};
  }
  std::vector<uint8_t> out = Reassemble(q, pkt.family, ecn);
  queues_.erase(key);
  b = std::move(out);
  return {};
}

}  // namespace iptsim
