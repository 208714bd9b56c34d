// Extension: comment (match, IPv4 IPv6)
// Synopsis: -m comment --comment TEXT
// Semantics: always matches; TEXT (at most 255 bytes: a longer one is cut
//   to 255, as iptables does) is kept for humans.
//   A rule with -m comment is never "unconditional" for trace numbering.
// Example: -m comment --comment "allow ssh"
// Evaluation: yes
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"comment", 1, false}};
constexpr size_t kMaxCommentLen = 255;  // XT_MAX_COMMENT_LEN - 1

class CommentMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int, bool, std::span<const Arg> args, const ParseContext& ctx) override {
    if (given_) return Status::Error("only one '--comment' allowed");
    // iptables cuts a longer one to its buffer's size (XT_MAX_COMMENT_LEN),
    // without a word, and saves what it kept.
    std::string_view text = args[0].text.substr(0, kMaxCommentLen);
    // Interned: a ruleset may carry a comment on every one of 100,000 rules.
    comment_ = ctx.arena ? ctx.arena->Intern(text) : std::string_view();
    given_ = true;
    return {};
  }
  Status Finish(const ParseContext&) override {
    if (!given_) return Status::Error("'--comment TEXT' is required");
    return {};
  }
  Tri Evaluate(const PacketView&, EvalContext&) const override { return Tri::kTrue; }
  Pred Describe(Family) const override { return Pred::True(); }
  void Save(std::string& out, const SaveContext&) const override {
    SaveOpt(out, "comment", SaveString(comment_));
  }
  std::string_view comment() const { return comment_; }

 private:
  std::string_view comment_;
  bool given_ = false;
};

}  // namespace

extern const ExtensionInfo kCommentMatch = {
    .name = "comment",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<CommentMatch>,
};

}  // namespace iptsim
