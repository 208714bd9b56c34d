// Loading a large section on several threads.  iptables-save writes a
// table as its chain lines, then only "-A" lines, then COMMIT; such a
// section of many rules is cut into pieces at line boundaries, each piece
// parsed by a worker Loader against the (already complete) chain list, and
// the pieces' rules and diagnostics joined back in line order, so the result
// is the same as loading it on one thread.
#include <atomic>
#include <thread>

#include "loader/loader_internal.h"

namespace iptsim::ruleset_loader {

namespace {

// Only the exact line: the ones iptables-restore refuses (blanks around
// it, no final newline) are left to the serial loop, which reports them.
bool IsCommitLine(std::string_view line, const LineReader& reader) {
  return line == "COMMIT" && reader.ended_with_newline();
}

// Where a section's parts are, found by reading ahead from its "*table" line.
struct SectionShape {
  size_t chains_end = 0;  // just after the last chain line
  size_t chain_lines = 0;
  size_t rules = 0;                          // "-A" lines
  size_t region_begin = 0, region_end = 0;   // the rule lines (region_end: the COMMIT line)
  uint32_t region_line = 0;                  // line number of the first rule line
};

// True when the section is chain lines, then only "-A" lines (optionally
// with "[p:b]" before them), then COMMIT.
bool ScanSection(LineReader scan, SectionShape* shape) {
  std::string_view line;
  uint32_t n;
  bool in_rules = false;
  shape->chains_end = scan.pos();
  while (true) {
    size_t at = scan.pos();
    if (!scan.Next(&line, &n)) return false;
    size_t i = line.find_first_not_of(" \t");
    if (scan.ended_with_cr() || (i == std::string_view::npos && !line.empty()))
      return false;  // refused by the serial loop
    if (i == std::string_view::npos || line[0] == '#') continue;
    if (IsCommitLine(line, scan)) {
      shape->region_end = at;
      return true;
    }
    if (line[i] == ':') {
      if (in_rules) return false;
      shape->chains_end = scan.pos();
      ++shape->chain_lines;
      continue;
    }
    std::string_view rest = line.substr(i);
    if (rest[0] == '[') {
      size_t close = rest.find("] ");
      if (close == std::string_view::npos) return false;
      rest = rest.substr(close + 2);
    }
    if (rest.substr(0, 3) != "-A ") return false;
    if (!in_rules) {
      in_rules = true;
      shape->region_begin = at;
      shape->region_line = n;
    }
    ++shape->rules;
  }
}

// The rule lines cut into `npieces` pieces at line boundaries, with each
// piece's first line number; *next_line is the line after the region.
void CutIntoPieces(std::string_view region, uint32_t region_line, unsigned npieces,
                   std::vector<std::string_view>* pieces, std::vector<uint32_t>* first_lines,
                   uint32_t* next_line) {
  size_t start = 0;
  uint32_t line_no = region_line;
  for (unsigned k = 1; k <= npieces; ++k) {
    size_t end = k == npieces ? region.size() : region.size() * k / npieces;
    if (end < region.size()) {
      size_t nl = region.find('\n', end);
      end = nl == std::string_view::npos ? region.size() : nl + 1;
    }
    if (end <= start) continue;
    pieces->push_back(region.substr(start, end - start));
    first_lines->push_back(line_no);
    line_no += static_cast<uint32_t>(std::count(region.begin() + start, region.begin() + end, '\n'));
    start = end;
  }
  *next_line = line_no;
}

}  // namespace

void Loader::ParseRuleLines(std::string_view region, uint32_t first_line) {
  LineReader reader(region);
  std::string_view line;
  uint32_t n;
  while (reader.Next(&line, &n)) {
    line_ = line;
    lineno_ = first_line + n - 1;
    size_t i = 0;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i == line.size() || line[0] == '#') continue;
    HandleCommand(i);
  }
}

// The chain lines of the section, in order, on this thread.
void Loader::ParseChainLines(LineReader* reader, size_t chains_end, size_t chain_lines) {
  table_->ReserveChains(table_->chains.size() + chain_lines);
  std::string_view line;
  uint32_t n;
  while (reader->pos() < chains_end && reader->Next(&line, &n)) {
    line_ = line;
    lineno_ = n;
    size_t i = line.find_first_not_of(" \t");
    if (i == std::string_view::npos || line[0] == '#') continue;
    if (line[i] == ':') HandleChainLine();
  }
}

// Parses the pieces on `threads` threads (each with its own arena, kept by
// the ruleset), then appends their rules to the chains and their
// diagnostics to ours in piece order.
void Loader::ParsePiecesInParallel(const std::vector<std::string_view>& pieces,
                                   const std::vector<uint32_t>& first_lines, unsigned threads) {
  struct Part {
    DiagnosticSink sink;
    std::vector<std::pair<int, std::vector<Rule>>> runs;
  };
  std::vector<Part> parts(pieces.size());
  std::vector<std::unique_ptr<Arena>> arenas(threads);
  for (auto& a : arenas) a = std::make_unique<Arena>();
  auto work = [&](size_t k, Arena* arena) {
    Part& p = parts[k];
    p.sink = DiagnosticSink(sink_->cap());
    Loader w(text_, file_, family_, &p.sink);
    w.table_ = table_;
    w.family_reason_ = family_reason_;
    w.in_table_ = true;
    w.arena_ = arena;
    w.collect_ = &p.runs;
    w.ParseRuleLines(pieces[k], first_lines[k]);
  };
  std::atomic<size_t> next{0};
  auto run = [&](Arena* arena) {
    for (size_t k; (k = next.fetch_add(1)) < pieces.size();) work(k, arena);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(run, arenas[t].get());
  run(arenas[0].get());
  for (std::thread& t : pool) t.join();
  // In iptables-save's shape a chain's rules are contiguous, so most chains
  // are filled by one run and their vectors are moved in whole.
  for (Part& p : parts) {
    for (auto& [c, src] : p.runs) {
      std::vector<Rule>& dst = table_->chains[c].rules;
      if (dst.empty()) {
        dst = std::move(src);
      } else {
        dst.insert(dst.end(), std::make_move_iterator(src.begin()),
                   std::make_move_iterator(src.end()));
        std::vector<Rule>().swap(src);
      }
    }
    sink_->Merge(std::move(p.sink));
  }
  for (auto& a : arenas) rs_->arenas.push_back(std::move(a));
}

bool Loader::TryParallelSection(LineReader* reader) {
  unsigned threads = threads_ ? threads_ : std::min(4u, std::thread::hardware_concurrency());
  if (threads < 2 || collect_) return false;
  SectionShape shape;
  if (!ScanSection(*reader, &shape) || shape.rules < kParallelMinRules) return false;
  ParseChainLines(reader, shape.chains_end, shape.chain_lines);
  // More pieces than threads, taken in turn: the cost per line varies
  // along the file (look-ups of far-away chains are cache misses).
  std::string_view region =
      text_.substr(shape.region_begin, shape.region_end - shape.region_begin);
  std::vector<std::string_view> pieces;
  std::vector<uint32_t> first_lines;
  uint32_t next_line = 0;
  CutIntoPieces(region, shape.region_line, threads * 8, &pieces, &first_lines, &next_line);
  ParsePiecesInParallel(pieces, first_lines, threads);
  reader->Seek(shape.region_end, next_line - 1);
  return true;
}

}  // namespace iptsim::ruleset_loader
