// Replays every file of the fuzz corpora (tests/fuzz/corpus/{parser,uri,body}) through the
// same entry points the libFuzzer targets use, so that CI keeps what fuzzing found fixed.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_entry.hpp"

namespace ims::fuzz {
namespace {

namespace fs = std::filesystem;

struct CorpusFile {
  std::string kind;  // "parser", "uri" or "body": the corpus directory and entry point
  fs::path path;
};

std::vector<CorpusFile> corpus() {
  std::vector<CorpusFile> out;
  for (const char* kind : {"parser", "uri", "body"}) {
    const fs::path dir = fs::path(IMS_SOURCE_DIR) / "tests/fuzz/corpus" / kind;
    std::error_code ec;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (e.is_regular_file()) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (auto& f : files) out.push_back({kind, std::move(f)});
  }
  return out;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// One test per entry point, replaying every file of its corpus: a failure names the file.
class CorpusReplay : public testing::TestWithParam<std::string> {};

TEST_P(CorpusReplay, EveryFileRunsCleanly) {
  const std::string& kind = GetParam();
  std::size_t replayed = 0;
  for (const CorpusFile& f : corpus()) {
    if (f.kind != kind) continue;
    const std::string bytes = read_file(f.path);
    const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
    const bool ok = kind == "parser" ? run_parser(data, bytes.size())
                    : kind == "uri"  ? run_uri(data, bytes.size())
                                     : run_body(data, bytes.size());
    EXPECT_TRUE(ok) << "invariant broken by " << f.path;
    ++replayed;
  }
  EXPECT_GT(replayed, 0u) << "no corpus files for " << kind;
}

INSTANTIATE_TEST_SUITE_P(Fuzz, CorpusReplay, testing::Values("parser", "uri", "body"),
                         [](const testing::TestParamInfo<std::string>& p) { return p.param; });

TEST(CorpusReplay, EveryCorpusHasSeeds) {
  const auto files = corpus();
  for (const char* kind : {"parser", "uri", "body"}) {
    EXPECT_GE(std::count_if(files.begin(), files.end(),
                            [&](const CorpusFile& f) { return f.kind == kind; }),
              10)
        << kind;
  }
}

}  // namespace
}  // namespace ims::fuzz
