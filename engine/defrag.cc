#include "engine/defrag.h"

#include <algorithm>

#include "base/bytes.h"
#include "engine/conntrack_trackers.h"

namespace iptsim {

namespace {


// One fragment as its headers describe it.
struct Fragment {
  std::string key;     // the datagram it belongs to, without the family
  uint32_t off = 0;    // its data's offset in the datagram
  bool more = false;   // more fragments follow (MF / M)
  bool df = false;     // IPv4: DF set
  size_t data_at = 0, data_end = 0;  // its data in the packet's bytes
  std::vector<uint8_t> head;  // the headers before the fragment's data
  size_t nexthdr_at = 0;      // IPv6: the byte that names the fragment header
};

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
  f->more = frag & 0x2000;
  f->df = frag & 0x4000;
  f->data_at = ihl;
  f->data_end = tot;
  f->key.assign(reinterpret_cast<const char*>(b.data() + 12), 8);  // src, dst
  f->key.append(reinterpret_cast<const char*>(b.data() + 4), 2);   // id
  f->key.push_back(static_cast<char>(b[9]));                        // protocol
  f->head.assign(b.begin(), b.begin() + static_cast<long>(ihl));
  return true;
}

// An IPv6 fragment: the fragment header after hop-by-hop, routing,
// destination options and AH headers.  False when there is none, it is cut
// short, or it is an atomic fragment (offset 0, no more fragments), which
// goes on as it is.
bool ReadFragment6(const std::vector<uint8_t>& b, Fragment* f) {
  if (b.size() < 40) return false;
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
  f->data_end = std::min(b.size(), 40u + static_cast<size_t>(GetBe16(b.data() + 4)));
  f->key.assign(reinterpret_cast<const char*>(b.data() + 8), 32);
  f->key.append(reinterpret_cast<const char*>(b.data() + at + 4), 4);  // identification
  f->head.assign(b.begin(), b.begin() + static_cast<long>(at));
  f->head[nh_at] = b[at];  // the fragment header's next header moves up
  f->nexthdr_at = nh_at;
  return true;
}

// Whether the parts cover 0..total without a hole (sorts them by offset).
bool Complete(FragmentQueue& q) {
  std::sort(q.parts.begin(), q.parts.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  uint32_t covered = 0;
  for (const auto& p : q.parts)
    if (p.first <= covered)
      covered = std::max<uint32_t>(covered, p.first + static_cast<uint32_t>(p.second.size()));
  return covered >= q.total;
}

// The whole datagram of a complete queue: the first fragment's headers with
// the lengths (IPv4: also flags, offset and header checksum) made whole,
// then the data, a later part overwriting an earlier one where they overlap.
std::vector<uint8_t> Reassemble(const FragmentQueue& q, Family family) {
  std::vector<uint8_t> data(q.total);
  for (const auto& p : q.parts)
    for (size_t i = 0; i < p.second.size() && p.first + i < q.total; ++i)
      data[p.first + i] = p.second[i];
  std::vector<uint8_t> out = q.head;
  out.insert(out.end(), data.begin(), data.end());
  if (family == Family::kIPv4) {
    const size_t tot = out.size();
    out[2] = static_cast<uint8_t>(tot >> 8);
    out[3] = static_cast<uint8_t>(tot);
    out[6] = q.df ? 0x40 : 0;  // ip_frag_reasm: DF if a fragment had it
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
  }
  return out;
}

}  // namespace

bool Defragmenter::Add(Packet& pkt) {
  auto& b = pkt.bytes;
  Fragment f;
  const bool fragment =
      pkt.family == Family::kIPv4 ? ReadFragment4(b, &f) : ReadFragment6(b, &f);
  if (!fragment) return true;
  const std::string key = static_cast<char>(pkt.family) + f.key;
  FragmentQueue& q = queues_[key];
  if (f.data_end < f.data_at) f.data_end = f.data_at;
  q.parts.emplace_back(f.off, std::vector<uint8_t>(b.begin() + static_cast<long>(f.data_at),
                                                    b.begin() + static_cast<long>(f.data_end)));
  q.df = q.df || f.df;
  if (f.off == 0) {
    q.head = std::move(f.head);
    q.nexthdr_at = f.nexthdr_at;
  }
  if (!f.more) {
    q.have_last = true;
    q.total = f.off + static_cast<uint32_t>(f.data_end - f.data_at);
  }
  if (!q.have_last || q.head.empty()) return false;
  if (!Complete(q)) return false;
  std::vector<uint8_t> out = Reassemble(q, pkt.family);
  queues_.erase(key);
  b = std::move(out);
  return true;
}

}  // namespace iptsim
