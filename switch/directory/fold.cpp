#include "switch/directory/fold.hpp"

#include <cstdint>

#include "common/util/strings.hpp"
#include "common/util/utf8.hpp"

namespace ims::sw::directory {
namespace {

// One character per code point from U+00C0; upper case letters stand for two-letter foldings
// (see spell) and '*' for a code point kept as it is.
//   C0..DF: À-Å Æ Ç È-Ë Ì-Ï Ð Ñ Ò-Ö × Ø Ù-Ü Ý Þ ß
//   E0..FF: à-å æ ç è-ë ì-ï ð ñ ò-ö ÷ ø ù-ü ý þ ÿ
constexpr std::string_view kLatin1 =
    "aaaaaaAceeeeiiiidnooooo*ouuuuyTS"
    "aaaaaaAceeeeiiiidnooooo*ouuuuyTy";
// From U+0100: Ā-ą ć-č ď-đ ē-ě ĝ-ģ ĥ-ħ ĩ-ı Ĳĳ ĵ ķĸ ĺ-ł ń-ň ŉ ŋ ō-ő Œœ ŕ-ř ś-š ţ-ŧ ũ-ų ŵ ŷ-Ÿ ź-ž ſ
// clang-format off
constexpr std::string_view kLatinExtendedA =
    "aaaaaa" "cccccccc" "dddd" "eeeeeeeeee" "gggggggg" "hhhh" "iiiiiiiiii" "JJ" "jj" "kkk"
    "llllllllll" "nnnnnn" "n" "nn" "oooooo" "OO" "rrrrrr" "ssssssss" "tttttt" "uuuuuuuuuuuu"
    "ww" "yyy" "zzzzzz" "s";
// clang-format on
static_assert(kLatin1.size() == 0x100 - 0xC0);
static_assert(kLatinExtendedA.size() == 0x180 - 0x100);

std::string_view spell(char code) {
  switch (code) {
    case 'A': return "ae";
    case 'O': return "oe";
    case 'J': return "ij";
    case 'S': return "ss";
    case 'T': return "th";
    default: return {};
  }
}

constexpr char32_t kReplacement = 0xFFFD;

// One code point at text[i], i moved past it; an invalid sequence consumes one byte and
// yields U+FFFD (util::next_utf8).
char32_t next_code_point(std::string_view text, std::size_t& i) {
  return util::next_utf8(text, i).value_or(kReplacement);
}

// Greek and Cyrillic, so that "ΕΛΈΝΗ" finds "Ελένη" and "ИВАН" finds "Иван": capitals to small
// letters, Greek letters without tonos or dialytika, final sigma as sigma, Cyrillic ё as е.
// Other code points are returned as they are.
char32_t fold_greek_cyrillic(char32_t cp) {
  switch (cp) {
    case 0x386:
    case 0x3AC: return 0x3B1;  // Ά ά → α
    case 0x388:
    case 0x3AD: return 0x3B5;  // Έ έ → ε
    case 0x389:
    case 0x3AE: return 0x3B7;  // Ή ή → η
    case 0x38A:
    case 0x3AF:
    case 0x390:
    case 0x3AA:
    case 0x3CA: return 0x3B9;  // Ί ί ΐ Ϊ ϊ → ι
    case 0x38C:
    case 0x3CC: return 0x3BF;  // Ό ό → ο
    case 0x38E:
    case 0x3CD:
    case 0x3B0:
    case 0x3AB:
    case 0x3CB: return 0x3C5;  // Ύ ύ ΰ Ϋ ϋ → υ
    case 0x38F:
    case 0x3CE: return 0x3C9;  // Ώ ώ → ω
    case 0x3C2: return 0x3C3;  // ς → σ
    case 0x401:
    case 0x451: return 0x435;  // Ё ё → е
    default: break;
  }
  if (cp >= 0x391 && cp <= 0x3A9) return cp + 0x20;  // Α..Ω → α..ω
  if (cp >= 0x400 && cp <= 0x40F) return cp + 0x50;  // Ѐ..Џ → ѐ..џ
  if (cp >= 0x410 && cp <= 0x42F) return cp + 0x20;  // А..Я → а..я
  return cp;
}

// ASCII controls and space, and the Unicode spaces a pasted name may hold (no-break, thin,
// ideographic ...).
bool is_space(char32_t cp) {
  return cp <= 0x20 || cp == 0x7F || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

// Characters that show nothing: zero-width space and joiners, word joiner, byte order mark.
bool is_invisible(char32_t cp) {
  return (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF;
}

// Appends the folding of one code point that is not white space.
void append_folded(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += util::ascii_lower(static_cast<char>(cp));
    return;
  }
  if (cp >= 0x300 && cp <= 0x36F) return;  // a combining accent: the base letter is enough
  if (is_invisible(cp)) return;
  char code = '*';
  if (cp >= 0xC0 && cp < 0x100) code = kLatin1[cp - 0xC0];
  if (cp >= 0x100 && cp < 0x180) code = kLatinExtendedA[cp - 0x100];
  if (code == '*') return util::append_utf8(out, fold_greek_cyrillic(cp));
  if (const auto two = spell(code); !two.empty()) {
    out += two;
  } else {
    out += code;
  }
}

}  // namespace

std::string fold_text(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  bool pending_space = false;
  for (std::size_t i = 0; i < utf8.size();) {
    const char32_t cp = next_code_point(utf8, i);
    if (is_space(cp)) {
      pending_space = !out.empty();
      continue;
    }
    const std::size_t before = out.size();
    if (pending_space) out += ' ';
    append_folded(out, cp);
    // A combining accent or an invisible character after a space adds nothing: the space waits
    // for the next visible character, so that words stay one space apart.
    if (out.size() == before + (pending_space ? 1 : 0)) {
      out.resize(before);
      continue;
    }
    pending_space = false;
  }
  return out;
}

std::string digits_of(std::string_view text) {
  std::string out;
  for (char c : text)
    if (c >= '0' && c <= '9') out += c;
  return out;
}

bool looks_like_number(std::string_view text) {
  bool digit = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (std::string_view(" \t+-()./").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return digit;
}

}  // namespace ims::sw::directory
