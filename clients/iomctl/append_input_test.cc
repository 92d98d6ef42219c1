#include "clients/iomctl/append_input.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"  // status_matchers.h uses its macros
#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace iomhub::iomctl {
namespace {

using ::iomhub::testing::IsOk;
using ::iomhub::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using ::testing::VariantWith;

constexpr char kContact[] =
    R"({"eventId": "e1", "occurredAt": "2024-05-01T09:00:00Z", "contactScheduled": {"contactId": "c1"}})";
constexpr char kWarning[] =
    R"({"event_id": "e2", "occurred_at": "2024-05-02T09:00:00Z", "warning_issued": {}})";

TEST(ParseAppendInput, AcceptsAWholeAppendRequest) {
  const std::string text =
      absl::StrCat(R"({"stream": "person-x", "expectedVersion": "4", "events": [)", kContact, ",",
                   kWarning, "]}");
  IOMHUB_ASSERT_OK_AND_ASSIGN(v1::AppendRequest request, ParseAppendInput(text, "req.json"));
  EXPECT_EQ(request.stream(), "person-x");
  EXPECT_EQ(request.expected_version(), 4u);
  ASSERT_EQ(request.events_size(), 2);
  EXPECT_EQ(request.events(0).contact_scheduled().contact_id(), "c1");
  EXPECT_TRUE(request.events(1).has_warning_issued());
}

TEST(ParseAppendInput, AcceptsEventsAsAnArrayOrOnePerLine) {
  IOMHUB_ASSERT_OK_AND_ASSIGN(
      v1::AppendRequest from_array,
      ParseAppendInput(absl::StrCat("[", kContact, ",", kWarning, "]"), "a"));
  IOMHUB_ASSERT_OK_AND_ASSIGN(v1::AppendRequest from_lines,
                              ParseAppendInput(absl::StrCat(kContact, "\n", kWarning, "\n"), "b"));
  for (const v1::AppendRequest& request : {from_array, from_lines}) {
    ASSERT_EQ(request.events_size(), 2);
    EXPECT_EQ(request.events(0).event_id(), "e1");
    EXPECT_EQ(request.events(1).event_id(), "e2");
    EXPECT_TRUE(request.stream().empty());
    EXPECT_EQ(request.expected_case(), v1::AppendRequest::EXPECTED_NOT_SET);
  }
}

TEST(ParseAppendInput, ASingleEventIsNotMistakenForARequest) {
  IOMHUB_ASSERT_OK_AND_ASSIGN(v1::AppendRequest request, ParseAppendInput(kContact, "<stdin>"));
  EXPECT_EQ(request.events_size(), 1);
}

TEST(ParseAppendInput, BadEventNamesFileLineColumnAndProtobufMessage) {
  const std::string text =
      absl::StrCat(kContact, "\n", R"({"eventId": "e2", "handling": "SECRET"})", "\n");
  const auto result = ParseAppendInput(text, "events.jsonl");
  ASSERT_THAT(result, StatusIs(absl::StatusCode::kInvalidArgument));
  // Column of "SECRET" on line 2.
  EXPECT_THAT(std::string(result.status().message()),
              StartsWith("events.jsonl:2:31: invalid iomhub.v1.Event: (handling): invalid value"));
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("\"SECRET\""));
}

TEST(ParseAppendInput, SyntaxErrorIsLocatedInTheWholeInput) {
  const std::string text = absl::StrCat("[\n  ", kContact, ",\n  {\"eventId\": e3}\n]");
  const auto result = ParseAppendInput(text, "<stdin>");
  ASSERT_THAT(result, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(result.status().message()),
              StartsWith("<stdin>:3:15: invalid iomhub.v1.Event: Unexpected token.\n"));
}

TEST(ParseAppendInput, StructuralErrorIsLocated) {
  const auto result = ParseAppendInput("{\"eventId\": \"e1\"}\n\n  {\"eventId\": \"e2\"", "f.json");
  EXPECT_THAT(result,
              StatusIs(absl::StatusCode::kInvalidArgument, "f.json:3:3: '{' is never closed"));
}

TEST(ParseAppendInput, UnknownFieldIsAnErrorNotSilentlyDropped) {
  const auto result = ParseAppendInput(R"({"eventId": "e1", "stram": "person-x"})", "f");
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kInvalidArgument,
                               "f:1:19: invalid iomhub.v1.Event: stram"));
}

TEST(ParseAppendInput, RefusesEmptyInputAndEmptyRequests) {
  EXPECT_THAT(ParseAppendInput("\n", "<stdin>"),
              StatusIs(absl::StatusCode::kInvalidArgument, "<stdin>: no events"));
  EXPECT_THAT(ParseAppendInput("[]", "<stdin>"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseAppendInput(R"({"stream": "s", "events": []})", "r"),
              StatusIs(absl::StatusCode::kInvalidArgument, "no events"));
}

TEST(ParseAppendInput, ARequestMustBeTheOnlyValue) {
  const std::string text = absl::StrCat(kContact, "\n", R"({"events": []})");
  EXPECT_THAT(ParseAppendInput(text, "x"),
              StatusIs(absl::StatusCode::kInvalidArgument, "x:2:1: an AppendRequest"));
}

TEST(ParseExpectedVersion, AcceptsStatesAndVersions) {
  EXPECT_THAT(ParseExpectedVersion("any"), IsOk());
  EXPECT_THAT(*ParseExpectedVersion("any"), VariantWith<v1::ExpectedState>(v1::EXPECTED_STATE_ANY));
  EXPECT_THAT(*ParseExpectedVersion("NO_STREAM"),
              VariantWith<v1::ExpectedState>(v1::EXPECTED_STATE_NO_STREAM));
  EXPECT_THAT(*ParseExpectedVersion("no-stream"),
              VariantWith<v1::ExpectedState>(v1::EXPECTED_STATE_NO_STREAM));
  EXPECT_THAT(*ParseExpectedVersion("exists"),
              VariantWith<v1::ExpectedState>(v1::EXPECTED_STATE_EXISTS));
  EXPECT_THAT(*ParseExpectedVersion("0"), VariantWith<uint64_t>(0u));
  EXPECT_THAT(*ParseExpectedVersion("18446744073709551615"),
              VariantWith<uint64_t>(18446744073709551615u));
}

TEST(ParseExpectedVersion, RefusesAnythingElse) {
  for (const char* bad : {"", "-1", "+3", "3.0", "latest", "18446744073709551616", "0x10"}) {
    EXPECT_THAT(ParseExpectedVersion(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }
}

TEST(SetExpectedVersion, SetsTheOneofCase) {
  v1::AppendRequest request;
  SetExpectedVersion(uint64_t{7}, &request);
  EXPECT_EQ(request.expected_case(), v1::AppendRequest::kExpectedVersion);
  EXPECT_EQ(request.expected_version(), 7u);
  SetExpectedVersion(v1::EXPECTED_STATE_NO_STREAM, &request);
  EXPECT_EQ(request.expected_case(), v1::AppendRequest::kExpectedState);
  EXPECT_EQ(request.expected_state(), v1::EXPECTED_STATE_NO_STREAM);
}

}  // namespace
}  // namespace iomhub::iomctl
