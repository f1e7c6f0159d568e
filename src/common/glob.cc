#include "common/glob.h"

#include <cctype>
#include <cstddef>

namespace larder {
namespace {

char Fold(char c, bool nocase) {
  return nocase ? char(std::tolower(static_cast<unsigned char>(c))) : c;
}

// Matches one character class starting just after '['. Sets *end to the index of the
// class's last pattern byte (its ']' or the final byte when unterminated), following
// Redis's parsing of escapes, ranges ("a-z", also "a-]"), and unterminated classes.
bool MatchClass(std::string_view p, size_t i, char c, bool nocase, size_t* end) {
  bool negate = i < p.size() && p[i] == '^';
  if (negate) ++i;
  bool match = false;
  c = Fold(c, nocase);
  while (true) {
    if (i >= p.size()) {  // unterminated: the class ends with the pattern
      *end = p.size() - 1;
      break;
    }
    if (p[i] == '\\' && p.size() - i >= 2) {
      ++i;
      if (Fold(p[i], nocase) == c) match = true;
    } else if (p[i] == ']') {
      *end = i;
      break;
    } else if (p.size() - i >= 3 && p[i + 1] == '-') {
      signed char lo = static_cast<signed char>(Fold(p[i], nocase));
      signed char hi = static_cast<signed char>(Fold(p[i + 2], nocase));
      if (lo > hi) std::swap(lo, hi);
      signed char sc = static_cast<signed char>(c);
      if (sc >= lo && sc <= hi) match = true;
      i += 2;
    } else if (Fold(p[i], nocase) == c) {
      match = true;
    }
    ++i;
  }
  return negate ? !match : match;
}

// Tries to match one non-star pattern element at p[i] against c. On success returns
// true and sets *next to the index after the element.
bool MatchOne(std::string_view p, size_t i, char c, bool nocase, size_t* next) {
  switch (p[i]) {
    case '?':
      *next = i + 1;
      return true;
    case '[': {
      size_t end = i;
      bool ok = MatchClass(p, i + 1, c, nocase, &end);
      *next = end + 1;
      return ok;
    }
    case '\\':
      if (p.size() - i >= 2) ++i;
      [[fallthrough]];
    default:
      *next = i + 1;
      return Fold(p[i], nocase) == Fold(c, nocase);
  }
}

}  // namespace

bool GlobMatch(std::string_view p, std::string_view s, bool nocase) {
  // Redis's matcher never enters its loop for an empty string, so only an empty
  // pattern matches it ("*" does not; KEYS * is special-cased by the caller).
  if (s.empty()) return p.empty();
  size_t pi = 0, si = 0;
  size_t star_p = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '*') {
      while (pi < p.size() && p[pi] == '*') ++pi;
      if (pi == p.size()) return true;
      star_p = pi;
      star_s = si;
      continue;
    }
    size_t next = 0;
    if (pi < p.size() && MatchOne(p, pi, s[si], nocase, &next)) {
      pi = next;
      ++si;
      continue;
    }
    if (star_p == std::string_view::npos) return false;
    pi = star_p;  // backtrack: the last star absorbs one more byte
    si = ++star_s;
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

bool GlobIsLiteral(std::string_view pattern) {
  for (char c : pattern) {
    if (c == '*' || c == '?' || c == '[' || c == '\\') return false;
  }
  return true;
}

}  // namespace larder
