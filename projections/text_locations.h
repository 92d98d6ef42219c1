// TextLocations: parses a protobuf text-format file and says where each of
// its fields, and each element of a repeated field, was written, so that the
// configuration loaders (agreements, the producer table, the rules) report
// every problem as "name:line:column: message" (1-based).
//
// protobuf's ParseInfoTree records one location per occurrence of a field:
// in `event_types: ["A", "B"]` it places the list, not "B". The file's own
// tokens place each element, so a typo in a long list points at itself.
//
// Immutable after Parse; thread-compatible. Header-only: every loader uses it.
#ifndef IOMHUB_PROJECTIONS_TEXT_LOCATIONS_H_
#define IOMHUB_PROJECTIONS_TEXT_LOCATIONS_H_

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/message.h"
#include "google/protobuf/text_format.h"

namespace iomhub::projections {

// A message inside the parsed text: what TextLocations needs to place its
// fields. Valid while the TextLocations that made it lives.
struct TextMessage {
  const google::protobuf::TextFormat::ParseInfoTree* tree;  // nullptr: not written
  const google::protobuf::Descriptor* descriptor;
  std::string where;  // the message's own location, "name:line:column"
};

class TextLocations {
 public:
  // Parses `text` into `message`, naming it `name` in locations.
  // INVALID_ARGUMENT: a syntax error, "name:line:column: message" (one per
  // line; the parser stops at the first).
  static absl::StatusOr<TextLocations> Parse(std::string name, absl::string_view text,
                                             google::protobuf::Message* message) {
    TextLocations locations(std::move(name), text, message->GetDescriptor());
    google::protobuf::TextFormat::Parser parser;
    Collector errors(&locations.name_);
    parser.RecordErrorsTo(&errors);
    parser.WriteLocationsTo(locations.tree_.get());
    if (!parser.ParseFromString(std::string(text), message)) {
      return absl::InvalidArgumentError(absl::StrJoin(errors.lines, "\n"));
    }
    return locations;
  }

  // The whole file, located at its first token.
  TextMessage Root() const {
    const Position start = tokens_.empty() ? Position{0, 0} : tokens_[0].at;
    return {tree_.get(), descriptor_, At(start.first, start.second)};
  }

  // Element `index` of the repeated message field `field` of `parent` (-1:
  // a singular message field).
  TextMessage Nested(const TextMessage& parent, absl::string_view field, int index = -1) const {
    const auto* descriptor = parent.descriptor == nullptr
                                 ? nullptr
                                 : parent.descriptor->FindFieldByName(std::string(field));
    // ParseInfoTree dies on -1 for a repeated field, or another index for a singular one.
    const int element =
        descriptor != nullptr && descriptor->is_repeated() ? std::max(index, 0) : -1;
    const auto* tree = parent.tree == nullptr || descriptor == nullptr
                           ? nullptr
                           : parent.tree->GetTreeForNested(descriptor, element);
    return {tree, descriptor == nullptr ? nullptr : descriptor->message_type(),
            Where(parent, field, index)};
  }

  // Where `field` of `message` was written, element `index` of a repeated
  // field (-1: its first occurrence); the message itself if it was not.
  std::string Where(const TextMessage& message, absl::string_view field, int index = -1) const {
    const auto* descriptor = message.descriptor == nullptr
                                 ? nullptr
                                 : message.descriptor->FindFieldByName(std::string(field));
    if (message.tree == nullptr || descriptor == nullptr) return message.where;
    if (!descriptor->is_repeated()) return Or(message.tree->GetLocation(descriptor, -1), message);
    if (index < 0) return Or(message.tree->GetLocation(descriptor, 0), message);
    std::vector<Position> elements;
    for (int occurrence = 0;; ++occurrence) {
      const auto start = message.tree->GetLocation(descriptor, occurrence);
      if (start.line < 0) break;
      AppendValues({start.line, start.column}, &elements);
    }
    if (static_cast<size_t>(index) < elements.size()) {
      return At(elements[index].first, elements[index].second);
    }
    return Or(message.tree->GetLocation(descriptor, 0), message);
  }

 private:
  using Position = std::pair<int, int>;  // 0-based line and column
  struct Token {
    Position at;
    google::protobuf::io::Tokenizer::TokenType type;
    std::string text;
  };

  class Collector : public google::protobuf::io::ErrorCollector {
   public:
    explicit Collector(const std::string* name) : name_(name) {}
    void AddError(int line, google::protobuf::io::ColumnNumber column,
                  const std::string& message) override {
      lines.push_back(absl::StrCat(*name_, ":", line + 1, ":", column + 1, ": ", message));
    }
    std::vector<std::string> lines;

   private:
    const std::string* name_;
  };

  TextLocations(std::string name, absl::string_view text,
                const google::protobuf::Descriptor* descriptor)
      : name_(std::move(name)),
        descriptor_(descriptor),
        tree_(std::make_unique<google::protobuf::TextFormat::ParseInfoTree>()) {
    // Configured as TextFormat::Parser configures its own tokenizer, so the
    // two agree on every line and column.
    google::protobuf::io::ArrayInputStream input(text.data(), static_cast<int>(text.size()));
    Collector ignored(&name_);
    google::protobuf::io::Tokenizer tokenizer(&input, &ignored);
    tokenizer.set_allow_f_after_float(true);
    tokenizer.set_comment_style(google::protobuf::io::Tokenizer::SH_COMMENT_STYLE);
    tokenizer.set_require_space_after_number(false);
    tokenizer.set_allow_multiline_strings(true);
    while (tokenizer.Next()) {
      const auto& t = tokenizer.current();
      tokens_.push_back({{t.line, t.column}, t.type, t.text});
    }
  }

  std::string At(int line, int column) const {
    return absl::StrCat(name_, ":", line + 1, ":", column + 1);
  }
  std::string Or(google::protobuf::TextFormat::ParseLocation location,
                 const TextMessage& message) const {
    return location.line < 0 ? message.where : At(location.line, location.column);
  }

  bool Is(size_t i, absl::string_view text) const {
    return i < tokens_.size() && tokens_[i].text == text;
  }

  // Appends where each value of the field occurrence that starts at `start`
  // begins: the field itself in `f: v` and `f { ... }`, each element in
  // `f: [v, w]`.
  void AppendValues(Position start, std::vector<Position>* out) const {
    auto it = std::lower_bound(tokens_.begin(), tokens_.end(), start,
                               [](const Token& t, const Position& p) { return t.at < p; });
    size_t i = static_cast<size_t>(it - tokens_.begin()) + 1;  // past the field name
    if (Is(i, ":")) ++i;
    if (!Is(i, "[")) {
      out->push_back(start);
      return;
    }
    for (++i; i < tokens_.size() && !Is(i, "]");) {
      out->push_back(tokens_[i].at);
      i = SkipValue(i);
      if (Is(i, ",")) ++i;
    }
  }

  // The index of the token after the value that starts at token `i`.
  size_t SkipValue(size_t i) const {
    if (Is(i, "{") || Is(i, "<")) {
      for (int depth = 0; i < tokens_.size(); ++i) {
        if (Is(i, "{") || Is(i, "<")) ++depth;
        if ((Is(i, "}") || Is(i, ">")) && --depth == 0) return i + 1;
      }
      return i;
    }
    if (Is(i, "-")) return i + 2;
    // Adjacent strings are one value: "ab" "c".
    const size_t first = i;
    while (i < tokens_.size() && tokens_[i].type == google::protobuf::io::Tokenizer::TYPE_STRING) {
      ++i;
    }
    return i == first ? i + 1 : i;
  }

  std::string name_;
  const google::protobuf::Descriptor* descriptor_;
  std::vector<Token> tokens_;
  // Owned by pointer: ParseInfoTree cannot move, and TextMessage points into it.
  std::unique_ptr<google::protobuf::TextFormat::ParseInfoTree> tree_;
};

}  // namespace iomhub::projections

#endif  // IOMHUB_PROJECTIONS_TEXT_LOCATIONS_H_
