// Running another program: found on $PATH, its output read line by line as
// it comes, the end of its errors kept, its exit code and signal reported.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "record/ExternalProgram.hpp"

namespace ct::record {
namespace {

TEST(ExternalProgram, FindsAProgramOnThePath) {
  const auto sh = ExternalProgram::find("sh", "/nonexistent:/usr/bin:/bin");
  ASSERT_TRUE(sh);
  EXPECT_EQ(sh->filename(), "sh");
  EXPECT_FALSE(ExternalProgram::find("sh", "/nonexistent::"));
  EXPECT_FALSE(ExternalProgram::find("sh", ""));
  EXPECT_FALSE(ExternalProgram::find("sh", nullptr));
  EXPECT_FALSE(ExternalProgram::find("no-such-program-here", "/usr/bin:/bin"));
}

TEST(ExternalProgram, OutputComesLineByLineAndTheEndOfItsErrorsIsKept) {
  const auto sh = ExternalProgram::find("sh", "/usr/bin:/bin");
  ASSERT_TRUE(sh);
  std::vector<std::string> lines;
  const auto result = ExternalProgram::run(
      *sh, {"-c", "printf 'a=1\\nb=2\\nno end'; for i in 1 2 3 4 5; do echo err$i >&2; done; exit 3"},
      [&](std::string_view line) { lines.emplace_back(line); }, 2);
  EXPECT_TRUE(result.error.empty()) << result.error;
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(lines, (std::vector<std::string>{"a=1", "b=2", "no end"}));
  EXPECT_EQ(result.stderr_tail, "err4\nerr5\n");
}

TEST(ExternalProgram, ASignalIsReportedAsOneHundredTwentyEightPlusIt) {
  const auto sh = ExternalProgram::find("sh", "/usr/bin:/bin");
  ASSERT_TRUE(sh);
  const auto result = ExternalProgram::run(*sh, {"-c", "kill -9 $$"}, [](std::string_view) {});
  EXPECT_EQ(result.exit_code, 128 + 9);
}

TEST(ExternalProgram, AProgramThatIsNotThereSaysSo) {
  const auto result = ExternalProgram::run("/nonexistent/ffmpeg", {}, [](std::string_view) {});
  EXPECT_FALSE(result.error.empty());
}

}  // namespace
}  // namespace ct::record
