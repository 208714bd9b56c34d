// libFuzzer target for the ipset save parser (loader/ipset_file.h): any
// input must give sets or file:line:col diagnostics, never a crash, and the
// sets it gives must take a test and an add/del of a packet.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/packet_builder.h"
#include "loader/ipset_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  iptsim::IpsetDb db;
  iptsim::DiagnosticSink diags;
  // Small limits: the same code paths (the limit errors too) without
  // spending the run on building 65,536-element expansions.
  iptsim::IpsetLimits limits;
  limits.max_expand = 512;
  limits.max_elements = 4096;
  bool ok = iptsim::ParseIpsetSave(text, "fuzz", &db, &diags, limits);
  if (!ok && diags.error_count() == 0) __builtin_trap();  // a failure must say why
  for (const auto& [name, set] : db) (void)iptsim::FormatIpAddr(set.family, set.range_from);
  // Every set takes a packet of its family.
  for (auto& [name, set] : db) {
    iptsim::PacketSpec spec;
    spec.family = set.family;
    iptsim::Packet p = iptsim::BuildPacket(spec);
    iptsim::PacketView v = iptsim::PacketView::Of(p);
    iptsim::EvalContext ctx;
    iptsim::IpsetTestOptions opt;
    opt.dim = 3;
    opt.src_bits = 5;
    (void)iptsim::IpsetTest(db, name, v, ctx, opt);
    iptsim::IpsetAddDel(db, name, v, 3, 2, true);
    iptsim::IpsetAddDel(db, name, v, 3, 1, false);
    break;
  }
  return 0;
}
