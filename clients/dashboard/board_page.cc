// The decisions board page: what the hub's sharing policy let the signed-in
// manager see of a team's breach considerations.
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "clients/dashboard/html.h"
#include "clients/dashboard/pages.h"
#include "iomhub/v1/agency.pb.h"
#include "iomhub/v1/events.pb.h"

namespace iomhub::dashboard {
namespace {

// "ENFORCEMENT_POSITION_NO_FURTHER_ACTION" → "no further action".
std::string Words(const google::protobuf::EnumDescriptor* descriptor, int value,
                  absl::string_view prefix) {
  const auto* named = descriptor->FindValueByNumber(value);
  if (named == nullptr || value == 0) return "-";
  std::string text(absl::StripPrefix(named->name(), prefix));
  absl::AsciiStrToLower(&text);
  absl::StrReplaceAll({{"_", " "}}, &text);
  return text;
}

std::string Day(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0) return "-";
  return absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(t.seconds()), absl::UTCTimeZone());
}

// "senior_probation_officer" → "senior probation officer".
std::string RoleText(absl::string_view role) { return absl::StrReplaceAll(role, {{"_", " "}}); }

std::string PositionOf(const v1::PersonState::BreachConsideration& c, v1::AgencyKind agency) {
  for (const auto& p : c.positions()) {
    if (p.by().agency() != agency) continue;
    std::string text =
        Words(v1::EnforcementPosition_descriptor(), p.position(), "ENFORCEMENT_POSITION_");
    if (!p.alternative().empty()) absl::StrAppend(&text, " (", p.alternative(), ")");
    return HtmlEscape(absl::StrCat(text, " — ", RoleText(p.by().role()), ", ", Day(p.at())));
  }
  return "<span class=\"waiting\">none yet</span>";
}

std::string Outcome(const v1::PersonState::BreachConsideration& c) {
  if (c.status() == v1::PersonState::BreachConsideration::STATUS_WITHDRAWN) {
    return HtmlEscape(
        absl::StrCat("withdrawn ", Day(c.withdrawn_at()), ": ", c.withdrawal_reason()));
  }
  if (c.has_decision()) {
    return HtmlEscape(absl::StrCat(Words(v1::EnforcementPosition_descriptor(),
                                         c.decision().decision(), "ENFORCEMENT_POSITION_"),
                                   c.decision().by_escalation() ? " (after escalation)" : "", ", ",
                                   Day(c.decision().at())));
  }
  if (c.has_escalation()) {
    return HtmlEscape(
        absl::StrCat("escalated to ", c.escalation().to_role(), " ", Day(c.escalation().at())));
  }
  return "";
}

std::string Rows(const google::protobuf::RepeatedPtrField<v1::BoardItem>& items, bool open) {
  std::string out;
  for (const v1::BoardItem& item : items) {
    const auto& c = item.consideration();
    absl::StrAppend(
        &out, "<tr", item.overdue() ? " class=\"overdue\"" : "", "><th scope=\"row\">",
        HtmlEscape(item.person_id()), "</th><td>", HtmlEscape(c.consideration_id()),
        c.order_ref().empty()
            ? ""
            : absl::StrCat("<br><small>order ", HtmlEscape(c.order_ref()), "</small>"),
        "</td><td>",
        HtmlEscape(Words(v1::BreachTrigger_descriptor(), c.trigger(), "BREACH_TRIGGER_")),
        "</td><td>", Day(c.opened_at()), "</td><td class=\"value\">", item.age_days(),
        item.overdue() ? " <strong>overdue</strong>" : "", "</td><td>",
        PositionOf(c, v1::AGENCY_KIND_POLICE), "</td><td>",
        PositionOf(c, v1::AGENCY_KIND_PROBATION), "</td><td>",
        open ? HtmlEscape(absl::StrJoin(item.waiting_for(), "; ")) : Outcome(c), "</td></tr>\n");
  }
  return out;
}

std::string BoardTable(absl::string_view caption, absl::string_view last_column,
                       const google::protobuf::RepeatedPtrField<v1::BoardItem>& items, bool open) {
  if (items.empty()) {
    return absl::StrCat("<p class=\"empty\">",
                        open ? "No open breach considerations." : "None closed recently.",
                        "</p>\n");
  }
  return absl::StrCat(
      "<table class=\"board\"><caption>", caption,
      "</caption>\n<thead><tr><th scope=\"col\">Person (hub id)</th><th "
      "scope=\"col\">Consideration</th><th scope=\"col\">Trigger</th><th "
      "scope=\"col\">Opened</th><th scope=\"col\">Days open</th><th scope=\"col\">Police "
      "position</th><th scope=\"col\">Probation position</th><th scope=\"col\">",
      last_column, "</th></tr></thead>\n<tbody>\n", Rows(items, open), "</tbody></table>\n");
}

}  // namespace

std::string RenderBoardPage(const v1::GetDecisionsBoardResponse& r, const Manager& manager) {
  const std::string team = r.team().name().empty() ? r.team().id() : r.team().name();
  std::string main = absl::StrCat(
      "<h1>", HtmlEscape(team), ": decisions board</h1>\n<p class=\"period\">Signed in as <strong>",
      HtmlEscape(manager.user_id), "</strong> (", HtmlEscape(RoleText(manager.role)),
      "). Shown as the hub's sharing agreements let ",
      manager.agency == BoardAgency::kPolice ? "police" : "probation",
      " managers see it; this view is recorded in the hub's disclosure audit. Figures to the "
      "hub's log position <span class=\"position\">",
      r.view_position(), "</span>.</p>\n",
      BoardTable("Open breach considerations, oldest first", "Waiting for", r.open(), true),
      "<h2>Recently closed</h2>\n",
      BoardTable("Closed breach considerations, most recent first", "Outcome", r.closed(), false));
  return RenderPage(
      absl::StrCat(team, ": decisions board"),
      {{"Wales", "/"}, {team, absl::StrCat("/team/", r.team().id())}, {"Decisions board", ""}},
      r.view_position(), main,
      "Person-level case data for this team's managers, shown as the hub's sharing agreements "
      "allow and recorded in its disclosure audit. Do not copy it elsewhere.");
}

}  // namespace iomhub::dashboard
