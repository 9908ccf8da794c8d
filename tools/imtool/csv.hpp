#pragma once
// A CSV reader (RFC 4180) for the files imtool imports: fields separated by commas, records by
// CRLF or LF; a field in double quotes may hold commas, line breaks and doubled quotes ("").
// Spaces around a field are dropped (outside the quotes of a quoted one); a UTF-8 byte order
// mark at the start is skipped; blank lines are skipped. Every record keeps the line it starts
// on, so a problem can be shown where the file's author will find it. Plain function over text.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.hpp"

namespace ims::tool {

// Bounds on what one file may hold (STYLE rule 9).
inline constexpr std::size_t kMaxCsvFields = 1000;             // per record
inline constexpr std::size_t kMaxCsvFieldBytes = 1024 * 1024;  // per field

struct CsvRecord {
  std::size_t line = 0;  // 1-based, where the record starts
  std::vector<std::string> fields;
};

// The records of the whole text, or the first problem as "line 7: why": a quoted field never
// closed (the line it opens on), text after a closing quote, a quote inside an unquoted field,
// text that is not UTF-8, more than kMaxCsvFields fields or a field over kMaxCsvFieldBytes.
Result<std::vector<CsvRecord>> read_csv(std::string_view text);

}  // namespace ims::tool
