// The CSV reader of `imtool contacts import` (RFC 4180): quoting, line breaks and commas inside
// quotes, CRLF and LF, a byte order mark, blank lines, and rows it must refuse with their line.

#include "tools/imtool/csv.hpp"

#include <gtest/gtest.h>

namespace ims::tool {
namespace {

using Fields = std::vector<std::string>;

std::vector<CsvRecord> read_ok(std::string_view text) {
  auto r = read_csv(text);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? *r : std::vector<CsvRecord>{};
}

std::string read_error(std::string_view text) {
  auto r = read_csv(text);
  EXPECT_FALSE(r) << "accepted: " << text;
  return r ? "" : r.error().message;
}

TEST(Csv, SplitsFieldsAndRecords) {
  auto rows = read_ok("id,name\nc-1,Ann\r\nc-2,Bob");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].fields, (Fields{"id", "name"}));
  EXPECT_EQ(rows[1].fields, (Fields{"c-1", "Ann"}));
  EXPECT_EQ(rows[2].fields, (Fields{"c-2", "Bob"}));
  EXPECT_EQ(rows[2].line, 3u);
}

TEST(Csv, QuotedFieldsHoldCommasQuotesAndLineBreaks) {
  auto rows = read_ok(
      "id,notes,company\n"
      "c-1,\"Smith, Ann\",\"ACME \"\"Rockets\"\"\"\n"
      "c-2,\"first line\r\nsecond line\nthird\",x\n"
      "c-3,\"\",y\n");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[1].fields, (Fields{"c-1", "Smith, Ann", "ACME \"Rockets\""}));
  EXPECT_EQ(rows[2].fields, (Fields{"c-2", "first line\r\nsecond line\nthird", "x"}));
  EXPECT_EQ(rows[2].line, 3u);
  EXPECT_EQ(rows[3].line, 6u) << "a record after one with two line breaks inside quotes";
  EXPECT_EQ(rows[3].fields, (Fields{"c-3", "", "y"}));
}

TEST(Csv, SkipsTheByteOrderMarkAndBlankLinesAndTrimsSpaces) {
  auto rows = read_ok("\xEF\xBB\xBFid , name\n\n   \nc-1,  \"  Ann  \"  \n,\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].fields, (Fields{"id", "name"})) << "no BOM in the first column's name";
  EXPECT_EQ(rows[1].line, 4u);
  EXPECT_EQ(rows[1].fields, (Fields{"c-1", "  Ann  "})) << "spaces inside quotes are kept";
  EXPECT_EQ(rows[2].fields, (Fields{"", ""})) << "a line of empty fields is not blank";
}

TEST(Csv, KeepsUtf8Text) {
  auto rows = read_ok("id,name\nc-1,Zoé Müller\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].fields[1], "Zoé Müller");
}

TEST(Csv, RefusesBadRowsNamingTheirLine) {
  EXPECT_EQ(read_error("id,name\nc-1,ok\nc-2,\"never closed\nc-3,x\n"),
            "line 3: a quoted field is never closed (a '\"' is missing)");
  EXPECT_EQ(read_error("id,name\nc-1,\"Ann\" Smith\n"),
            "line 2: text after a closing '\"' (a quote inside a quoted field is doubled)");
  EXPECT_EQ(read_error("id,name\n\nc-1,Ann \"the boss\"\n"),
            "line 3: a '\"' inside an unquoted field (quote the whole field and double the '\"')");
  EXPECT_EQ(read_error("id,name\nc-1,\"a\nb\"\nc-2,\xC3\x28\n"),
            "line 4: not UTF-8 text (save the file as UTF-8)");
}

TEST(Csv, BoundsFieldsPerRecordAndFieldSize) {
  std::string wide = "a";
  for (std::size_t k = 0; k < kMaxCsvFields; ++k) wide += ",a";
  EXPECT_NE(read_error("id\n" + wide + "\n").find("line 2: more than"), std::string::npos);
  EXPECT_NE(read_error("id\n\"" + std::string(kMaxCsvFieldBytes + 1, 'x') + "\"\n")
                .find("line 2: a field longer than"),
            std::string::npos);
  EXPECT_NE(read_error("id\n" + std::string(kMaxCsvFieldBytes + 1, 'x') + "\n")
                .find("line 2: a field longer than"),
            std::string::npos);
}

TEST(Csv, EmptyTextHasNoRecords) {
  EXPECT_TRUE(read_ok("").empty());
  EXPECT_TRUE(read_ok("\xEF\xBB\xBF\r\n\n").empty());
}

}  // namespace
}  // namespace ims::tool
