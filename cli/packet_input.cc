#include "cli/packet_input.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <span>

#include "engine/packet_builder.h"
#include "base/diagnostics.h"
#include "loader/log_text.h"
#include "loader/packet_spec.h"
#include "loader/pcap.h"

namespace iptsim::cli {
namespace {

// The subcommand the messages name (PacketInputOptions::command).
std::string g_command = "trace";

void Error(const std::string& message) {
  fprintf(stderr, "iptsim %s: error: %s\n", g_command.c_str(), message.c_str());
}

// --packets FILE: every line a packet.
bool ReadPacketsFile(const std::string& path, Family family, std::vector<InputPacket>* out) {
  std::string_view text;
  std::shared_ptr<const void> owner = ReadInput(path, &text, "a packets file");
  if (!owner) return false;
  const std::string name = path == "-" ? "<stdin>" : path;
  DiagnosticSink sink;
  uint32_t lineno = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#') continue;
    Diagnostic d;
    PacketSpec spec;
    if (ParsePacketLine(line, family, &spec, &d)) {
      out->push_back({BuildPacket(spec), name + ":" + std::to_string(lineno)});
      continue;
    }
    d.file = name;
    d.line = lineno;
    sink.Add(std::move(d));
  }
  if (sink.error_count() == 0) return true;
  std::cerr << sink.Format();
  return false;
}

// --from-log ARG: "-" is stdin, a word without a blank or "=" a file, else
// the text itself (one line, or several when it has newlines).
bool ReadLogSource(const PacketSource& src, Family family, std::vector<InputPacket>* out) {
  const std::string& arg = src.arg;
  const bool file = arg == "-" || arg.find_first_of(" =\n") == std::string::npos;
  const bool single = !file && arg.find('\n') == std::string::npos;
  std::string_view text = arg;
  std::shared_ptr<const void> owner;
  std::string name = "--from-log";
  if (file) {
    owner = ReadInput(arg, &text, "a log file");
    if (!owner) return false;
    name = arg == "-" ? "<stdin>" : arg;
  } else if (!single) {
    name = "--from-log " + std::to_string(src.occurrence);
  }
  LogText parsed;
  Diagnostic d;
  if (!ReadLogText(text, family, single, &parsed, &d)) {
    d.file = name;
    if (single) d.line = static_cast<uint32_t>(src.occurrence);
    std::cerr << FormatDiagnostic(d);
    return false;
  }
  for (LogTextPacket& p : parsed.packets)
    out->push_back({BuildPacket(p.spec),
                    single ? "--from-log " + std::to_string(src.occurrence)
                           : name + ":" + std::to_string(p.line)});
  const char* other = family == Family::kIPv4 ? "IPv6" : "IPv4";
  if (parsed.other_family)
    fprintf(stderr, "iptsim %s: note: %s: %zu %s packet%s skipped (the ruleset is %s)\n",
            g_command.c_str(), name.c_str(), parsed.other_family, other,
            parsed.other_family == 1 ? "" : "s", family == Family::kIPv4 ? "IPv4" : "IPv6");
  if (!single && parsed.lines_read == 0)
    fprintf(stderr,
            "iptsim %s: note: %s: no kernel TRACE/LOG line and no xtables-monitor --trace line\n",
            g_command.c_str(), name.c_str());
  return true;
}

// The metadata words that may go with --pcap.
bool PcapMetadata(const std::vector<std::string>& words, Family family, PcapOverrides* o) {
  static constexpr std::string_view kAllowed[] = {
      "-i", "--in-interface", "-o", "--out-interface", "--physdev-in", "--physdev-out",
      "--mark", "--uid", "--gid", "--time"};
  for (size_t w = 0; w < words.size(); ++w) {
    std::string_view word = words[w];
    if (word.empty() || word[0] != '-') continue;  // a value
    if (word.size() > 2 && word[1] != '-' && (word[1] == 'i' || word[1] == 'o'))
      continue;  // -ieth0
    std::string_view name = word.substr(0, word.find('='));
    bool ok = false;
    for (std::string_view a : kAllowed) ok = ok || a == name;
    if (!ok) {
      Error("with --pcap the words after RULES are the captured packets' metadata (-i -o "
            "--physdev-in --physdev-out --mark --uid --gid --time), not '" +
            std::string(word) + "'");
      return false;
    }
    if (word.find('=') == std::string_view::npos) ++w;  // its value
  }
  PacketSpec spec;
  Status st = ParsePacketSpec(words, family, &spec);
  if (!st.ok()) {
    std::string at = st.arg() >= 0 && static_cast<size_t>(st.arg()) < words.size()
                         ? " (at '" + words[st.arg()] + "')"
                         : "";
    Error("--pcap metadata: " + st.message() + at);
    return false;
  }
  auto given = [&](std::initializer_list<std::string_view> names) {
    for (const std::string& word : words)
      for (std::string_view n : names)
        if (word == n || word.rfind(std::string(n) + "=", 0) == 0 ||
            (n.size() == 2 && word.size() > 2 && word.rfind(n, 0) == 0))
          return true;
    return false;
  };
  if (given({"-i", "--in-interface"})) o->in = spec.in;
  if (given({"-o", "--out-interface"})) o->out = spec.out;
  o->phys_in = spec.phys_in;
  o->phys_out = spec.phys_out;
  if (given({"--mark"})) o->mark = spec.mark;
  if (given({"--time"})) o->time = spec.time;
  o->uid = spec.uid;
  o->gid = spec.gid;
  if (spec.uid && !spec.gid) o->gid = spec.uid;
  return true;
}

bool ReadPcapFile(const PacketSource& src, Family family, const PcapOverrides& overrides,
                  std::vector<InputPacket>* out) {
  std::string_view text;
  std::shared_ptr<const void> owner = ReadInput(src.arg, &text, nullptr);
  if (!owner) return false;
  const std::string name = src.arg == "-" ? "<stdin>" : src.arg;
  std::span<const uint8_t> data(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  std::vector<PcapFrame> frames;
  if (Status s = ReadCapture(data, &frames); !s.ok()) {
    Error(name + ": " + s.message());
    return false;
  }
  size_t skipped = 0, no_direction = 0;
  std::string first_skip;
  for (const PcapFrame& f : frames) {
    Packet p;
    std::string skip;
    FrameStatus st = FrameToPacket(f, family, overrides, &p, &skip);
    if (st == FrameStatus::kError) {
      Error(name + ": frame " + std::to_string(f.number) + ": " + skip);
      return false;
    }
    if (st == FrameStatus::kSkip) {
      if (skipped++ == 0) first_skip = "frame " + std::to_string(f.number) + ": " + skip;
      continue;
    }
    if (st == FrameStatus::kNoDirection) ++no_direction;
    out->push_back({std::move(p), name + " frame " + std::to_string(f.number)});
  }
  if (skipped)
    fprintf(stderr, "iptsim %s: note: %s: %zu frame%s skipped (%s)\n", g_command.c_str(),
            name.c_str(), skipped, skipped == 1 ? "" : "s", first_skip.c_str());
  if (no_direction)
    fprintf(stderr,
            "iptsim %s: note: %s: %zu frame%s with no interface name or no direction: sent as "
            "locally generated (give -i/-o after RULES)\n",
            g_command.c_str(), name.c_str(), no_direction, no_direction == 1 ? "" : "s");
  if (frames.empty())
    fprintf(stderr, "iptsim %s: note: %s: no packets\n", g_command.c_str(), name.c_str());
  return true;
}

}  // namespace

bool CollectPackets(const PacketInputOptions& opts,
                    const std::vector<std::vector<std::string>>& groups, Family family,
                    bool rules_from_stdin, std::vector<InputPacket>* out) {
  g_command = opts.command;
  bool words = !groups.empty() && !(groups.size() == 1 && groups[0].empty());
  int stdin_users = rules_from_stdin;
  for (const PacketSource& s : opts.sources)
    stdin_users += s.arg == "-";
  if (stdin_users > 1) {
    UsageError(g_command,
               "stdin ('-') can be read only once (RULES, --packets, --pcap, --from-log)");
    return false;
  }
  PcapOverrides overrides;
  const bool pcap = opts.has(PacketSource::Kind::kPcap);
  if (pcap) {
    if (groups.size() > 1) {
      UsageError(g_command, "with --pcap the words after RULES are the packets' metadata; "
                          "no packet groups ('--')");
      return false;
    }
    if (words && !PcapMetadata(groups[0], family, &overrides)) return false;
  }
  for (const PacketSource& s : opts.sources) {
    bool ok = true;
    switch (s.kind) {
      case PacketSource::Kind::kFile: ok = ReadPacketsFile(s.arg, family, out); break;
      case PacketSource::Kind::kLog: ok = ReadLogSource(s, family, out); break;
      case PacketSource::Kind::kPcap: ok = ReadPcapFile(s, family, overrides, out); break;
    }
    if (!ok) return false;
  }
  if (pcap) return true;
  if (!words && !opts.sources.empty()) return true;
  // The packets of the command line (one default packet without words).
  for (size_t g = 0; g < groups.size() || (g == 0 && groups.empty()); ++g) {
    static const std::vector<std::string> kNone;
    const std::vector<std::string>& group = groups.empty() ? kNone : groups[g];
    PacketSpec spec;
    Status st = ParsePacketSpec(group, family, &spec);
    if (!st.ok()) {
      std::string word = st.arg() >= 0 && static_cast<size_t>(st.arg()) < group.size()
                             ? " (at '" + group[st.arg()] + "')"
                             : "";
      fprintf(stderr, "iptsim %s: error: packet %zu: %s%s\n", g_command.c_str(), g + 1,
              st.message().c_str(), word.c_str());
      return false;
    }
    out->push_back({BuildPacket(spec), "packet " + std::to_string(g + 1)});
  }
  return true;
}

}  // namespace iptsim::cli
