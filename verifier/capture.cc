#include "verifier/capture.h"

#include <algorithm>

#include "verifier/inject.h"

namespace iptsim::verifier {
namespace {

std::string LogText(const KmsgRecord& r, bool with_level) {
  return with_level ? "<" + std::to_string(r.level) + ">" + r.text : r.text;
}

}  // namespace

LabSpec CompleteLabSpec(LabSpec spec, const std::vector<Packet>& packets) {
  auto find = [&](std::string_view name) -> LabInterface* {
    for (LabInterface& i : spec.interfaces) {
      if (i.name == name) return &i;
    }
    return nullptr;
  };
  for (const Packet& p : packets) {
    if (!p.in.empty()) {
      LabInterface* itf = find(p.in.view());
      if (!itf) {
        spec.interfaces.push_back(LabInterface{});
        itf = &spec.interfaces.back();
        itf->name = std::string(p.in.view());
        itf->tun = p.mac_len == 0;
      }
      // MACs left open take the first frame's addresses (unicast only).
      if (p.mac_len == 14 && !itf->tun) {
        if (itf->mac.empty() && !(p.mac[0] & 1)) itf->mac = FormatMac(p.mac.data());
        if (itf->peer_mac.empty() && !(p.mac[6] & 1)) itf->peer_mac = FormatMac(p.mac.data() + 6);
      }
    }
    if (!p.out.empty() && p.out.view() != "lo" && !find(p.out.view())) {
      spec.interfaces.push_back(LabInterface{});
      spec.interfaces.back().name = std::string(p.out.view());
    }
  }
  return spec;
}

CaptureResult CaptureTraces(const LabSpec& spec, std::string_view ruleset,
                            const std::vector<Packet>& packets, const CaptureOptions& options) {
  CaptureResult res;
  Family family = options.family.value_or(packets.empty() ? Family::kIPv4 : packets[0].family);
  std::unique_ptr<Lab> lab = Lab::Create(CompleteLabSpec(spec, packets), options.lab, &res.status);
  if (!lab) return res;
  KmsgReader kmsg;
  if (std::string err = kmsg.Open(); !err.empty()) {
    res.status = LabStatus::Failed(err);
    return res;
  }
  res.status = lab->LoadRuleset(family, options.flavour, ruleset);
  if (!res.status.ok()) return res;
  XtablesMonitor monitor;
  bool nft = options.flavour == Flavour::kNft;
  if (nft) {
    if (std::string err = monitor.Start(*lab, options.lab.timeout_ms); !err.empty()) {
      res.status = LabStatus::Failed(err);
      return res;
    }
  }
  if (options.on_ready) options.on_ready(*lab);
  const std::vector<std::string> devices = lab->DeviceNames();
  auto mine = [&](const KmsgRecord& r) { return IsLabLogLine(r.text, devices); };
  for (const Packet& p : packets) {
    res.caveats.push_back(InjectionCaveats(*lab, p));
    uint64_t seq = kmsg.Mark();
    res.send_errors.push_back(Inject(*lab, p, options.lab.timeout_ms));
    std::vector<std::string> lines;
    std::vector<std::string> logs;
    if (nft) {
      lines = monitor.Read(options.settle, &res.monitor_errors);
      // LOG lines were printed while the monitor waited: take what is there.
      Settle now{std::chrono::milliseconds(0), std::chrono::milliseconds(0),
                 std::chrono::milliseconds(0)};
      for (const KmsgRecord& r : kmsg.ReadSince(seq, now, mine)) {
        logs.push_back(LogText(r, options.with_level));
      }
    } else {
      for (const KmsgRecord& r : kmsg.ReadSince(seq, options.settle, mine)) {
        lines.push_back(LogText(r, options.with_level));
      }
    }
    res.lines.push_back(std::move(lines));
    res.log_lines.push_back(std::move(logs));
  }
  monitor.Stop();
  res.status = lab->Destroy();
  return res;
}

std::vector<std::string> CaptureTrace(const LabSpec& spec, std::string_view ruleset,
                                      const std::vector<Packet>& packets,
                                      const CaptureOptions& options, LabStatus* status) {
  CaptureResult res = CaptureTraces(spec, ruleset, packets, options);
  if (status) *status = res.status;
  std::vector<std::string> all;
  for (const std::vector<std::string>& l : res.lines) all.insert(all.end(), l.begin(), l.end());
  return all;
}

}  // namespace iptsim::verifier
