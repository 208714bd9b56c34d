// What the two files of the packet-option parser share (private to
// loader/): packet_spec.cc reads the words into options (the option table,
// "--opt=VALUE", abbreviations, --inner) and checks the packet as a whole
// once every option is read; packet_fields.cc reads each option's value into
// the PacketSpec's fields.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"
#include "loader/packet_spec.h"

namespace iptsim::packet_options {

enum Opt : uint8_t {
  kIn, kOut, kPhysIn, kPhysOut, kSrc, kDst, kProto, kSport, kDport, kSyn, kTcpFlags, kSeq, kAck,
  kWindow, kUrgp, kTcpOptionHex, kIcmpType, kIcmpv6Type, kIcmpId, kIcmpSeq, kMtu, kPointer,
  kGateway, kSpi, kTtl, kTos, kId, kDf, kCe, kFrag, kMf, kFlowLabel, kIpOptionHex, kExtHdr, kLen,
  kPayload, kPayloadHex, kMacSrc, kMacDst, kTime, kMark, kUid, kGid, kCtState, kConnected, kInner,
  kNumOpts
};

struct OptDef {
  std::string_view name;  // long name without "--"
  char short_name;        // 0 if none
  uint8_t nargs;
  Opt id;
};

// Options that describe the skb rather than the datagram: not for the
// packet embedded in an ICMP error.
bool IsMetadata(Opt o);
// Options that write the transport header (meaningless for a later fragment).
bool IsTransport(Opt o);

// Status::Error's word index for "the option word itself".
inline constexpr int kOptWord = -2;

std::string Quote(std::string_view s);

// "Did you mean": the closest candidate by optimal string alignment distance
// (a swap of two neighbours counts 1: "dprot" -> "dport"), if it is within
// max(1, len/3) edits; else "".
std::string Suggest(std::string_view name, std::span<const std::string_view> candidates);

// An option word as read: which option, its value when attached
// ("--dport=22", "-ptcp"), and the spelling messages use ("--dport", "-p").
struct OptionUse {
  const OptDef* def = nullptr;
  std::optional<std::string_view> inline_value;
  std::string word;
};

class Parser {
 public:
  Parser(std::span<const std::string> words, Family family) : w_(words), fam_(family) {}

  // Reads the words from `begin` on; `depth`: how many --inner precede them.
  Status Parse(size_t begin, PacketSpec* s, int depth);

  // The option at word `i` without reading its value: its id (options
  // that set one field share one: --syn and --tcp-flags, --payload and
  // --payload-hex) and the index of the word after its values.  False for
  // a word that is not a known option.
  bool OptionAt(size_t i, Opt* id, size_t* next) const;

 private:
  // Where each option was given (word index of the option), -1 if not.
  using Given = std::array<int, kNumOpts>;

  // --- packet_spec.cc: words into options, and the whole packet ---
  Status ReadOptionWord(size_t i, OptionUse* use) const;
  Status ReadLongOption(size_t i, OptionUse* use) const;
  Status ReadShortOption(size_t i, OptionUse* use) const;
  Status CheckOptionUse(const OptionUse& use, int at, bool inner, const Given& given) const;
  // The option's values (attached or the next words), then Handle.
  Status ReadValuesAndHandle(const OptionUse& use, size_t* i, PacketSpec* s, Given& given);
  Status Finish(PacketSpec* s, const Given& given);
  Status ResolveProtocol(PacketSpec* s, const Given& given);
  Status CheckIcmpFields(const PacketSpec& s, const Given& given);
  Status CheckFieldCombinations(const PacketSpec& s, const Given& given);

  // --- packet_fields.cc: one option's value into the spec ---
  Status Handle(Opt id, const std::string& opt_word, std::span<const std::string_view> args,
                std::span<const int> at, PacketSpec* s, Given& given);
  Status HandleIpHeader(Opt id, const std::string& opt_word, std::span<const std::string_view> args,
                        std::span<const int> at, PacketSpec* s, Given& given);
  Status HandleTransport(Opt id, const std::string& opt_word,
                         std::span<const std::string_view> args, std::span<const int> at,
                         PacketSpec* s, Given& given);
  Status HandleMetadata(Opt id, std::span<const std::string_view> args, std::span<const int> at,
                        PacketSpec* s);
  Status Protocol(std::string_view text, int at, PacketSpec* s);
  Status OptionBytes(Opt id, const std::string& opt_word, std::string_view text, int at,
                     PacketSpec* s);
  Status IcmpType(Opt id, std::string_view text, int at, PacketSpec* s);

  Status Number(std::string_view text, int at, uint64_t max, std::string_view what,
                uint64_t* out);
  Status Address(std::string_view text, int at, IpAddr* out);
  Status Interface(std::string_view text, int at, std::string* out);
  Status Port(std::string_view text, int at, std::optional<uint16_t>* out);

  std::span<const std::string> w_;
  Family fam_;
};

}  // namespace iptsim::packet_options
