#include "clients/json_text.h"

#include <algorithm>
#include <functional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace iomhub::clients {
namespace {

constexpr size_t kNpos = absl::string_view::npos;
// How much of a long input line FormatLocatedError shows on each side of the
// error, in bytes.
constexpr size_t kExcerptHalfWidth = 60;

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsUtf8Continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

size_t SkipSpace(absl::string_view t, size_t pos) {
  while (pos < t.size() && IsJsonSpace(t[pos])) ++pos;
  return pos;
}

// `pos` is at an opening quote. Returns the offset just past the closing
// quote, or kNpos if the string never closes.
size_t ScanString(absl::string_view t, size_t pos) {
  for (size_t i = pos + 1; i < t.size(); ++i) {
    if (t[i] == '\\') {
      ++i;  // whatever follows a backslash cannot close the string
    } else if (t[i] == '"') {
      return i + 1;
    }
  }
  return kNpos;
}

absl::Status ScanError(size_t offset, absl::string_view message, size_t* error_offset) {
  *error_offset = offset;
  return absl::InvalidArgumentError(message);
}

// Scans the value starting at `pos` (a non-space character) and sets `*end`
// just past it. Scalars are taken up to the next delimiter: their contents
// are the protobuf parser's business.
absl::Status ScanValue(absl::string_view t, size_t pos, size_t* end, size_t* error_offset) {
  if (t[pos] == '"') {
    *end = ScanString(t, pos);
    if (*end == kNpos) return ScanError(pos, "string is never closed", error_offset);
    return absl::OkStatus();
  }
  if (t[pos] != '{' && t[pos] != '[') {
    size_t i = pos;
    while (i < t.size() && !IsJsonSpace(t[i]) && !absl::StrContains(",]}:", t[i])) ++i;
    *end = i;
    return absl::OkStatus();
  }
  // Invariant: `open` holds the offsets of the brackets not yet closed,
  // innermost last.
  std::vector<size_t> open;
  for (size_t i = pos; i < t.size(); ++i) {
    const char c = t[i];
    if (c == '"') {
      const size_t string_end = ScanString(t, i);
      if (string_end == kNpos) return ScanError(i, "string is never closed", error_offset);
      i = string_end - 1;
    } else if (c == '{' || c == '[') {
      open.push_back(i);
    } else if (c == '}' || c == ']') {
      const char expected = t[open.back()] == '{' ? '}' : ']';
      if (c != expected) {
        return ScanError(i,
                         absl::StrCat("'", std::string(1, c), "' found where '",
                                      std::string(1, expected), "' was expected"),
                         error_offset);
      }
      open.pop_back();
      if (open.empty()) {
        *end = i + 1;
        return absl::OkStatus();
      }
    }
  }
  // The innermost unclosed bracket is nearest the damage (e.g. a JSON line
  // that lost its closing brace swallows the lines after it).
  return ScanError(open.back(),
                   absl::StrCat("'", std::string(1, t[open.back()]), "' is never closed"),
                   error_offset);
}

// Calls `visit(key_offset, key, value_offset)` for each member of the object
// whose '{' is at `pos`, until `visit` returns true or the structure breaks.
// `key` is the raw (undecoded) member name.
void ForEachMember(absl::string_view t, size_t pos,
                   const std::function<bool(size_t, absl::string_view, size_t)>& visit) {
  if (pos >= t.size() || t[pos] != '{') return;
  size_t i = SkipSpace(t, pos + 1);
  while (i < t.size() && t[i] == '"') {
    const size_t key_end = ScanString(t, i);
    if (key_end == kNpos) return;
    const size_t colon = SkipSpace(t, key_end);
    if (colon >= t.size() || t[colon] != ':') return;
    const size_t value = SkipSpace(t, colon + 1);
    if (value >= t.size()) return;
    if (visit(i, t.substr(i + 1, key_end - i - 2), value)) return;
    size_t value_end = 0;
    size_t ignored = 0;
    if (!ScanValue(t, value, &value_end, &ignored).ok()) return;
    const size_t next = SkipSpace(t, value_end);
    if (next >= t.size() || t[next] != ',') return;
    i = SkipSpace(t, next + 1);
  }
}

// The offset of element `index` of the array whose '[' is at `pos`, or kNpos.
size_t ArrayElement(absl::string_view t, size_t pos, size_t index) {
  if (pos >= t.size() || t[pos] != '[') return kNpos;
  size_t i = SkipSpace(t, pos + 1);
  for (size_t n = 0; i < t.size() && t[i] != ']'; ++n) {
    if (n == index) return i;
    size_t end = 0;
    size_t ignored = 0;
    if (!ScanValue(t, i, &end, &ignored).ok()) return kNpos;
    i = SkipSpace(t, end);
    if (i >= t.size() || t[i] != ',') return kNpos;
    i = SkipSpace(t, i + 1);
  }
  return kNpos;
}

// The lowerCamelCase JSON name protobuf derives from a proto field name.
std::string JsonName(absl::string_view proto_name) {
  std::string out;
  bool upper = false;
  for (char c : proto_name) {
    if (c == '_') {
      upper = true;
    } else {
      out.push_back(upper ? absl::ascii_toupper(c) : c);
      upper = false;
    }
  }
  return out;
}

// Offset of the member named `name` (proto or JSON spelling) in the object
// at `pos`: of its key if `want_key`, else of its value. kNpos if absent.
size_t FindMember(absl::string_view t, size_t pos, absl::string_view name, bool want_key) {
  const std::string json_name = JsonName(name);
  size_t found = kNpos;
  ForEachMember(t, pos, [&](size_t key_offset, absl::string_view key, size_t value_offset) {
    if (key != name && key != json_name) return false;
    found = want_key ? key_offset : value_offset;
    return true;
  });
  return found;
}

// Protobuf value errors name a path: "(events[1].contact_scheduled.mode):
// invalid value ..." or "(events[1].contact_scheduled) modee: Cannot find
// field." (no parentheses at the top level).
size_t PathErrorOffset(absl::string_view json, absl::string_view message) {
  absl::string_view path;
  absl::string_view rest = message;
  if (absl::StartsWith(message, "(")) {
    const size_t close = message.find(')');
    if (close == kNpos) return 0;
    path = message.substr(1, close - 1);
    rest = absl::StripLeadingAsciiWhitespace(message.substr(close + 1));
  }
  absl::string_view unknown_key;
  constexpr absl::string_view kCannotFind = ": Cannot find field.";
  if (const size_t at = rest.find(kCannotFind); at != kNpos) unknown_key = rest.substr(0, at);

  size_t cur = SkipSpace(json, 0);
  if (!path.empty()) {
    for (absl::string_view component : absl::StrSplit(path, '.')) {
      absl::string_view name = component;
      size_t index = kNpos;
      if (const size_t bracket = component.find('['); bracket != kNpos) {
        name = component.substr(0, bracket);
        absl::string_view digits = component.substr(bracket + 1);
        digits = digits.substr(0, digits.find(']'));
        if (!absl::SimpleAtoi(digits, &index)) index = kNpos;
      }
      const size_t value = FindMember(json, cur, name, /*want_key=*/false);
      if (value == kNpos) return cur;
      cur = value;
      if (index != kNpos) {
        const size_t element = ArrayElement(json, cur, index);
        if (element == kNpos) return cur;
        cur = element;
      }
    }
  }
  if (!unknown_key.empty()) {
    const size_t key = FindMember(json, cur, unknown_key, /*want_key=*/true);
    if (key != kNpos) return key;
  }
  return cur;
}

}  // namespace

TextLocation LocateOffset(absl::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  TextLocation location;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++location.line;
      location.column = 1;
    } else if (!IsUtf8Continuation(text[i])) {
      ++location.column;
    }
  }
  return location;
}

std::string FormatLocatedError(absl::string_view source, absl::string_view text, size_t offset,
                               absl::string_view message) {
  offset = std::min(offset, text.size());
  const TextLocation location = LocateOffset(text, offset);
  const size_t line_start = offset == 0 ? 0 : text.rfind('\n', offset - 1) + 1;  // npos+1 == 0
  size_t line_end = text.find('\n', offset);
  if (line_end == kNpos) line_end = text.size();
  if (line_end > line_start && text[line_end - 1] == '\r')
    line_end = std::max(line_end - 1, offset);

  size_t start = line_start;
  std::string prefix;
  if (offset - line_start > kExcerptHalfWidth) {
    start = offset - kExcerptHalfWidth;
    while (start < offset && IsUtf8Continuation(text[start])) ++start;
    prefix = "...";
  }
  size_t end = line_end;
  std::string suffix;
  if (line_end - offset > kExcerptHalfWidth) {
    end = offset + kExcerptHalfWidth;
    while (end > offset && IsUtf8Continuation(text[end])) --end;
    suffix = "...";
  }
  std::string caret(prefix.size(), ' ');
  for (size_t i = start; i < offset; ++i) {
    if (text[i] == '\t') {
      caret.push_back('\t');
    } else if (!IsUtf8Continuation(text[i])) {
      caret.push_back(' ');
    }
  }
  caret.push_back('^');
  return absl::StrCat(source, ":", location.line, ":", location.column, ": ", message, "\n  ",
                      prefix, text.substr(start, end - start), suffix, "\n  ", caret);
}

absl::Status SplitJsonObjects(absl::string_view text, std::vector<JsonObjectSpan>* objects,
                              size_t* error_offset) {
  objects->clear();
  size_t pos = absl::StartsWith(text, "\xEF\xBB\xBF") ? 3 : 0;  // a UTF-8 byte order mark
  pos = SkipSpace(text, pos);
  while (pos < text.size()) {
    const char c = text[pos];
    size_t end = 0;
    if (c == '{') {
      if (absl::Status s = ScanValue(text, pos, &end, error_offset); !s.ok()) return s;
      objects->push_back({.offset = pos, .text = text.substr(pos, end - pos)});
    } else if (c == '[') {
      // Check the whole array's brackets first so that a broken element is
      // reported where it breaks rather than as a missing ','.
      if (absl::Status s = ScanValue(text, pos, &end, error_offset); !s.ok()) return s;
      size_t i = SkipSpace(text, pos + 1);
      bool after_comma = false;
      while (text[i] != ']' || after_comma) {
        if (text[i] != '{') {
          return ScanError(i,
                           after_comma && text[i] == ']'
                               ? "trailing ',' before ']'"
                               : "an array element is not a JSON object (an iomhub.v1.Event)",
                           error_offset);
        }
        size_t element_end = 0;
        if (absl::Status s = ScanValue(text, i, &element_end, error_offset); !s.ok()) return s;
        objects->push_back(
            {.offset = i, .text = text.substr(i, element_end - i), .in_array = true});
        i = SkipSpace(text, element_end);
        after_comma = text[i] == ',';
        if (after_comma) {
          i = SkipSpace(text, i + 1);
        } else if (text[i] != ']') {
          return ScanError(i, "expected ',' or ']' after an array element", error_offset);
        }
      }
    } else if (c == '}' || c == ']') {
      return ScanError(pos,
                       absl::StrCat("'", std::string(1, c), "' has no matching opening bracket"),
                       error_offset);
    } else if (c == ',') {
      return ScanError(pos,
                       "',' between top-level values: put events in one JSON array, or write "
                       "one object after another",
                       error_offset);
    } else {
      return ScanError(pos, "expected a JSON object or array", error_offset);
    }
    pos = SkipSpace(text, end);
  }
  return absl::OkStatus();
}

bool HasTopLevelKey(absl::string_view object_text, absl::string_view key) {
  bool found = false;
  ForEachMember(object_text, SkipSpace(object_text, 0),
                [&](size_t, absl::string_view member, size_t) { return found = member == key; });
  return found;
}

size_t ProtobufJsonErrorOffset(absl::string_view json, absl::string_view message) {
  // Syntax errors end "<message>\n<excerpt>\n<spaces>^"; the excerpt is a
  // verbatim slice of the input and the caret is relative to its start.
  const size_t first_newline = message.find('\n');
  const size_t last_newline = message.rfind('\n');
  if (first_newline != kNpos && last_newline > first_newline && absl::EndsWith(message, "^")) {
    const size_t caret = message.size() - last_newline - 2;
    const absl::string_view excerpt =
        message.substr(first_newline + 1, last_newline - first_newline - 1);
    if (excerpt.empty()) {  // the parser ran off the end of the input
      size_t end = json.size();
      while (end > 0 && IsJsonSpace(json[end - 1])) --end;
      return end;
    }
    const size_t at = json.find(excerpt);
    return at == kNpos ? 0 : std::min(at + caret, json.size());
  }
  return PathErrorOffset(json, message);
}

absl::string_view ProtobufJsonErrorSummary(absl::string_view message) {
  return message.substr(0, message.find('\n'));
}

}  // namespace iomhub::clients
