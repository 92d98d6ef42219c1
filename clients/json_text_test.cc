#include "clients/json_text.h"

#include <string>
#include <vector>

#include "common/status_macros.h"  // status_matchers.h uses its macros
#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "iomhub/v1/event_service.pb.h"

namespace iomhub::clients {
namespace {

using ::iomhub::testing::IsOk;
using ::iomhub::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Texts(const std::vector<JsonObjectSpan>& objects) {
  std::vector<std::string> texts;
  for (const JsonObjectSpan& o : objects) texts.emplace_back(o.text);
  return texts;
}

// Splits `text`, expecting failure; returns the error offset.
size_t SplitErrorOffset(absl::string_view text, absl::Status* status) {
  std::vector<JsonObjectSpan> objects;
  size_t offset = 12345;
  *status = SplitJsonObjects(text, &objects, &offset);
  EXPECT_THAT(*status, StatusIs(absl::StatusCode::kInvalidArgument)) << text;
  return offset;
}

// The offset the protobuf parser's own error for `json` points at, via
// ProtobufJsonErrorOffset (so a change in protobuf's wording shows up here).
size_t LocateProtobufError(absl::string_view json) {
  v1::AppendRequest request;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &request);
  EXPECT_FALSE(status.ok()) << json;
  return ProtobufJsonErrorOffset(
      json, absl::string_view(status.message().data(), status.message().size()));
}

TEST(SplitJsonObjects, SplitsJsonLinesConcatenatedObjectsAndArrays) {
  const std::string text = "{\"a\":1}\n{\"b\":{\"c\":[1,2]}}{\"d\":3}\n[ {\"e\":4} , {\"f\":5}]\n";
  std::vector<JsonObjectSpan> objects;
  size_t error_offset = 0;
  ASSERT_THAT(SplitJsonObjects(text, &objects, &error_offset), IsOk());
  EXPECT_THAT(Texts(objects), ElementsAre("{\"a\":1}", "{\"b\":{\"c\":[1,2]}}", "{\"d\":3}",
                                          "{\"e\":4}", "{\"f\":5}"));
  EXPECT_EQ(objects[1].offset, 8u);
  EXPECT_FALSE(objects[2].in_array);
  EXPECT_TRUE(objects[3].in_array);
  EXPECT_EQ(text.substr(objects[4].offset, 7), "{\"f\":5}");
}

TEST(SplitJsonObjects, BracketsAndEscapedQuotesInsideStringsAreText) {
  const std::string text = R"({"note":"a } ] { [ \" \\"} {"x":"\\\""})";
  std::vector<JsonObjectSpan> objects;
  size_t error_offset = 0;
  ASSERT_THAT(SplitJsonObjects(text, &objects, &error_offset), IsOk());
  EXPECT_THAT(Texts(objects), ElementsAre(R"({"note":"a } ] { [ \" \\"})", R"({"x":"\\\""})"));
}

TEST(SplitJsonObjects, WhitespaceOnlyOrByteOrderMarkYieldsNothing) {
  std::vector<JsonObjectSpan> objects;
  size_t error_offset = 0;
  EXPECT_THAT(SplitJsonObjects(" \n\t\r\n", &objects, &error_offset), IsOk());
  EXPECT_TRUE(objects.empty());
  EXPECT_THAT(SplitJsonObjects("\xEF\xBB\xBF[]", &objects, &error_offset), IsOk());
  EXPECT_TRUE(objects.empty());
}

TEST(SplitJsonObjects, UnterminatedStringPointsAtItsOpeningQuote) {
  absl::Status status;
  EXPECT_EQ(SplitErrorOffset(R"({"a":"oops})", &status), 5u);
  EXPECT_THAT(status.message(), HasSubstr("never closed"));
}

TEST(SplitJsonObjects, MissingCloseBracePointsAtTheLineThatLostIt) {
  // Line 2 lost its '}', so it swallows line 3; blame line 2's '{'.
  absl::Status status;
  EXPECT_EQ(SplitErrorOffset("{\"a\":1}\n{\"b\":2\n{\"c\":3}\n", &status), 8u);
  EXPECT_THAT(status.message(), HasSubstr("'{' is never closed"));
}

TEST(SplitJsonObjects, ReportsMismatchedAndStrayBrackets) {
  absl::Status status;
  EXPECT_EQ(SplitErrorOffset(R"({"a":[1,2}})", &status), 9u);
  EXPECT_THAT(status.message(), HasSubstr("']' was expected"));
  EXPECT_EQ(SplitErrorOffset("{}\n}", &status), 3u);
  EXPECT_THAT(status.message(), HasSubstr("no matching"));
}

TEST(SplitJsonObjects, RefusesTopLevelScalarsCommasAndNonObjectElements) {
  absl::Status status;
  EXPECT_EQ(SplitErrorOffset("{}\n42", &status), 3u);
  EXPECT_EQ(SplitErrorOffset("{},{}", &status), 2u);
  EXPECT_EQ(SplitErrorOffset("[{}, \"x\"]", &status), 5u);
  EXPECT_EQ(SplitErrorOffset("[{},]", &status), 4u);
  EXPECT_THAT(status.message(), HasSubstr("trailing ','"));
  EXPECT_EQ(SplitErrorOffset("[{} {}]", &status), 4u);
  EXPECT_THAT(status.message(), HasSubstr("expected ',' or ']'"));
}

TEST(HasTopLevelKey, SeesOnlyTheObjectsOwnMembers) {
  EXPECT_TRUE(HasTopLevelKey(R"({"stream":"s", "events":[]})", "events"));
  EXPECT_TRUE(HasTopLevelKey(R"( { "events" : [] })", "events"));
  EXPECT_FALSE(HasTopLevelKey(R"({"x":{"events":[]}})", "events"));
  EXPECT_FALSE(HasTopLevelKey(R"({"note":"events", "y": 1})", "events"));
  EXPECT_FALSE(HasTopLevelKey(R"({"eventsx":1})", "events"));
}

TEST(LocateOffset, CountsLinesAndUtf8Characters) {
  const std::string text = "ab\ncd\nŵy\tz";  // 'ŵ' is two bytes
  EXPECT_EQ(LocateOffset(text, 0).line, 1);
  EXPECT_EQ(LocateOffset(text, 0).column, 1);
  EXPECT_EQ(LocateOffset(text, 4).line, 2);
  EXPECT_EQ(LocateOffset(text, 4).column, 2);
  const TextLocation y = LocateOffset(text, text.find('y'));
  EXPECT_EQ(y.line, 3);
  EXPECT_EQ(y.column, 2);
  const TextLocation z = LocateOffset(text, text.find('z'));
  EXPECT_EQ(z.column, 4);                        // a tab is one column
  EXPECT_EQ(LocateOffset(text, 999).column, 5);  // clamped to the end
}

TEST(FormatLocatedError, NamesSourceLineColumnAndShowsACaret) {
  const std::string text = "{\"a\":1}\n  {\"eventId\": x}\n";
  EXPECT_EQ(FormatLocatedError("events.json", text, text.find('x'), "Unexpected token."),
            "events.json:2:15: Unexpected token.\n"
            "    {\"eventId\": x}\n"
            "                ^");
}

TEST(FormatLocatedError, WindowsLongLines) {
  const std::string text = std::string(200, 'a') + "X" + std::string(200, 'b');
  const std::string message = FormatLocatedError("<stdin>", text, 200, "here");
  EXPECT_THAT(message, HasSubstr("<stdin>:1:201: here\n  ..."));
  EXPECT_THAT(message, HasSubstr("aX" + std::string(59, 'b') + "...\n"));
  EXPECT_LT(message.size(), 300u);
  const size_t caret_line = message.rfind('\n') + 1;
  const size_t excerpt_line = message.rfind('\n', caret_line - 2) + 1;
  EXPECT_EQ(message[excerpt_line + (message.size() - 1 - caret_line)], 'X');
}

TEST(ProtobufJsonErrorOffset, FindsSyntaxErrorsFromTheParsersExcerpt) {
  const std::string near_start = R"({"stream": x})";
  EXPECT_EQ(LocateProtobufError(near_start), near_start.find('x'));
  // Far from the start, where protobuf's excerpt no longer starts the input.
  const std::string far = "{\"stream\": \"" + std::string(80, 's') +
                          "\",\n \"events\": [ {\"eventId\": \"a\"},\n {\"eventId\": ?}]}";
  EXPECT_EQ(LocateProtobufError(far), far.find('?'));
}

TEST(ProtobufJsonErrorOffset, WalksTheFieldPathOfValueErrors) {
  const std::string bad_time = R"({"events": [{"contactScheduled": {"scheduledFor": "later"}},)"
                               R"( {"contact_scheduled": {"scheduled_for": "bad"}}]})";
  EXPECT_EQ(LocateProtobufError(bad_time), bad_time.find("\"bad\""));
  const std::string unknown_field =
      R"({"events": [{"eventId": "a", "contactScheduled": {"mode": 1}},)"
      R"( {"contactScheduled": {"modee": 1}}]})";
  EXPECT_EQ(LocateProtobufError(unknown_field), unknown_field.find("\"modee\""));
  const std::string top_unknown = R"({"stream": "s", "streem": "t"})";
  EXPECT_EQ(LocateProtobufError(top_unknown), top_unknown.find("\"streem\""));
  const std::string bad_number = R"({"expectedVersion": -1})";
  EXPECT_EQ(LocateProtobufError(bad_number), bad_number.find("-1"));
}

TEST(ProtobufJsonErrorOffset, FallsBackToTheStartWhenNothingMatches) {
  EXPECT_EQ(ProtobufJsonErrorOffset("{\"a\": 1}", "something new went wrong"), 0u);
}

TEST(ProtobufJsonErrorSummary, DropsTheParsersOwnExcerpt) {
  EXPECT_EQ(ProtobufJsonErrorSummary("Unexpected token.\n{\"a\": x}\n      ^"),
            "Unexpected token.");
  EXPECT_EQ(ProtobufJsonErrorSummary("streem: Cannot find field."), "streem: Cannot find field.");
}

}  // namespace
}  // namespace iomhub::clients
