#include "cli/explore.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace iptsim::cli {
namespace {

constexpr size_t kMaxTraces = 4096;

// What one branch wrote to its two streams.
class MemoryStreams {
 public:
  MemoryStreams() : out_(open_memstream(&out_buf_, &out_size_)),
                    err_(open_memstream(&err_buf_, &err_size_)) {}
  ~MemoryStreams() {
    Close();
    free(out_buf_);
    free(err_buf_);
  }
  bool ok() const { return out_ && err_; }
  TraceStreams streams() const { return {out_, err_}; }
  // Ends the writing; the texts.
  void Take(std::string* out, std::string* err) {
    Close();
    if (out_buf_) out->assign(out_buf_, out_size_);
    if (err_buf_) err->assign(err_buf_, err_size_);
  }

 private:
  void Close() {
    if (out_) fclose(out_);
    if (err_) fclose(err_);
    out_ = err_ = nullptr;
  }
  char* out_buf_ = nullptr;
  char* err_buf_ = nullptr;
  size_t out_size_ = 0, err_size_ = 0;
  FILE* out_;
  FILE* err_;
};

struct Outcome {
  std::vector<RunState::Choice> choices;
  double probability = 1;
  std::string out, err;
  int rc = 0;
};

}  // namespace

int ExploreTrace(const TraceSetup& setup, const TraceDisplay& display) {
  std::vector<Outcome> outcomes;
  ExploreBranch branch;
  for (;;) {
    if (outcomes.size() == kMaxTraces) {
      fprintf(stderr, "iptsim trace: error: --explore stops after %zu traces (too many random "
                      "decisions: decide some with --assume)\n", kMaxTraces);
      return kExitError;
    }
    Outcome o;
    branch.choices.clear();
    MemoryStreams mem;
    if (!mem.ok()) {
      fprintf(stderr, "iptsim trace: error: --explore cannot keep a trace in memory\n");
      return kExitError;
    }
    o.rc = RunTrace(setup, display, mem.streams(), &branch);
    mem.Take(&o.out, &o.err);
    o.choices = branch.choices;
    for (const RunState::Choice& c : o.choices) {
      double p = c.p31 / 2147483648.0;
      o.probability *= c.yes ? p : 1 - p;
    }
    outcomes.push_back(std::move(o));
    // The next branch: flip the last "yes" of this one, drop what follows.
    const auto& ch = outcomes.back().choices;
    size_t k = ch.size();
    while (k > 0 && !ch[k - 1].yes) --k;
    if (k == 0) break;
    branch.forced.clear();
    for (size_t i = 0; i + 1 < k; ++i) branch.forced.push_back(ch[i].yes);
    branch.forced.push_back(false);
  }
  // A run that failed before any random decision: its messages as they
  // are, without an explore header.
  if (outcomes.size() == 1 && outcomes[0].choices.empty() && outcomes[0].rc != kExitOk) {
    fwrite(outcomes[0].out.data(), 1, outcomes[0].out.size(), stdout);
    fwrite(outcomes[0].err.data(), 1, outcomes[0].err.size(), stderr);
    return outcomes[0].rc;
  }
  const bool json = setup.format->json;
  int status = kExitOk;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const Outcome& o = outcomes[i];
    std::string decisions;
    for (const RunState::Choice& c : o.choices) {
      char b[64];
      snprintf(b, sizeof b, "%s%s(%.6f)", decisions.empty() ? "" : " ", c.yes ? "yes" : "no",
               c.p31 / 2147483648.0);
      decisions += b;
    }
    if (json)
      printf("{\"explore\":{\"trace\":%zu,\"of\":%zu,\"probability\":%.6f,\"decisions\":%zu}}\n",
             i + 1, outcomes.size(), o.probability, o.choices.size());
    else
      printf("# trace %zu of %zu, probability %.6f; random decisions: %s\n", i + 1,
             outcomes.size(), o.probability, decisions.empty() ? "none" : decisions.c_str());
    fwrite(o.out.data(), 1, o.out.size(), stdout);
    fflush(stdout);
    if (!o.err.empty()) {
      fprintf(stderr, "iptsim trace: (trace %zu of %zu)\n", i + 1, outcomes.size());
      fwrite(o.err.data(), 1, o.err.size(), stderr);
    }
    if (o.rc > status) status = o.rc;
  }
  return status;
}

}  // namespace iptsim::cli
