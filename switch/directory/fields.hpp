#pragma once
// Shape checks for the directory's fields, shared by Directory::build and the config readers.
// Each returns the reason a value is wrong, or nothing when it is acceptable. The reasons are
// sentences for "<file>:<line>: <key>: <reason>" lines.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ims::sw::directory {

// Bounds (STYLE rule 9): what a directory entry may hold.
inline constexpr std::size_t kMaxLoginLength = 64;
inline constexpr std::size_t kMaxNameLength = 128;      // display names, queue and RP names
inline constexpr std::size_t kMaxEmailLength = 254;     // RFC 5321 §4.5.3.1.3 path limit
inline constexpr std::size_t kMaxNumberDigits = 20;
inline constexpr std::size_t kMaxPasswordLength = 128;
inline constexpr std::size_t kMaxTokenLength = 64;      // skills, tasks, case-data keys
inline constexpr unsigned kMaxSkillLevel = 100;
inline constexpr unsigned kMinImCapacity = 1;
inline constexpr unsigned kMaxImCapacity = 1000;
inline constexpr unsigned kDefaultImCapacity = 3;
inline constexpr unsigned kMaxWaitLimitS = 86400;
inline constexpr unsigned kDefaultWaitLimitS = 300;
inline constexpr unsigned kMaxNoAnswerS = 600;
inline constexpr unsigned kDefaultNoAnswerS = 15;
inline constexpr unsigned kMaxWaiting = 1000000;
inline constexpr unsigned kDefaultMaxWaiting = 1000;

using FieldProblem = std::optional<std::string_view>;

// A SIP user token that needs no escaping (a subset of RFC 3261 §25.1 "user"): letters, digits
// and . _ ~ + -, 1..64 characters.
FieldProblem login_problem(std::string_view login);
// Printable text without control characters (it ends up in From/To display names), 1..128 bytes.
FieldProblem name_problem(std::string_view name);
// local@domain: one '@', a local part without spaces or quotes, a domain of dot-separated
// letters, digits and hyphens with at least one dot.
FieldProblem email_problem(std::string_view email);
// An extension or E.164 number: digits with an optional leading '+', 1..20 digits.
FieldProblem number_problem(std::string_view number);
// Plain password: 1..128 bytes, no control characters.
FieldProblem password_problem(std::string_view password);
// Hexadecimal digest of exactly `hex_digits` digits (32 for MD5, 64 for SHA-256).
FieldProblem hex_problem(std::string_view hex, std::size_t hex_digits);
// Skill names, task names, case-data keys: lowercase letters, digits, '_' and '-', 1..64.
FieldProblem token_problem(std::string_view token);
// A caller pattern for routing rules: login characters and '*' (any run of characters).
FieldProblem caller_pattern_problem(std::string_view pattern);
// A host name (RFC 1123 labels), an IPv4 address or an IPv6 address with or without brackets.
FieldProblem domain_problem(std::string_view domain);

// The tasks an agent may hold (PRODUCT §2: the interaction kinds of the contact centre).
bool is_known_task(std::string_view task);
inline constexpr std::string_view kKnownTasks = "im, voice, email, chat, workitem";

// Host in the form used for comparisons: brackets removed, lowercase, a trailing dot removed, an
// IPv6 address in its RFC 5952 text form ("0:0::1" -> "::1").
std::string canonical_host(std::string_view host);

// '*' matches any run of characters (including none); everything else matches itself.
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace ims::sw::directory
