// The figures pages (Wales, an area, a team) and the problem page.
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "clients/dashboard/html.h"
#include "clients/dashboard/pages.h"

namespace iomhub::dashboard {
namespace {

std::string Capitalised(absl::string_view text) {
  std::string out(text);
  if (!out.empty()) out[0] = absl::ascii_toupper(out[0]);
  return out;
}

std::string UnitHeading(absl::string_view unit) {
  if (unit == "%") return "Per cent";
  if (unit.empty()) return "Value";
  return Capitalised(unit);
}

// <td> for a figure: the number, or kSuppressedText and no value at all.
std::string ValueCell(const v1::DashboardCell& cell) {
  if (cell.suppressed()) {
    return absl::StrCat("<td class=\"value suppressed\" data-suppressed=\"true\">", kSuppressedText,
                        "</td>");
  }
  return absl::StrCat("<td class=\"value\" data-value=\"", cell.value(), "\">",
                      FormatValue(cell.value()), "</td>");
}

std::string Row(const v1::DashboardCell& cell, bool with_reference) {
  std::string out = absl::StrCat("<tr data-key=\"", HtmlEscape(cell.key()), "\"><th scope=\"row\">",
                                 HtmlEscape(cell.label().empty() ? cell.key() : cell.label()),
                                 "</th>", ValueCell(cell));
  if (with_reference) {
    if (cell.reference() != 0) {
      absl::StrAppend(&out, "<td class=\"reference\" data-value=\"", cell.reference(), "\">",
                      FormatValue(cell.reference()), "</td>");
    } else {
      absl::StrAppend(&out, "<td class=\"reference\"></td>");
    }
  }
  absl::StrAppend(&out, "</tr>");
  return out;
}

std::string Setting(v1::Setting setting) {
  switch (setting) {
    case v1::SETTING_URBAN:
      return "Urban";
    case v1::SETTING_RURAL:
      return "Rural";
    default:
      return "Setting not recorded";
  }
}

std::string CoLocation(v1::CoLocation co_location) {
  switch (co_location) {
    case v1::CO_LOCATION_CO_LOCATED:
      return "police and probation co-located";
    case v1::CO_LOCATION_PARTLY_CO_LOCATED:
      return "partly co-located";
    case v1::CO_LOCATION_SEPARATE:
      return "police and probation in separate offices";
    default:
      return "co-location not recorded";
  }
}

std::string TeamFacts(const v1::Team& team) {
  const v1::Staffing& s = team.staffing();
  return absl::StrCat(Setting(team.setting()), " · ", CoLocation(team.co_location()), " · ",
                      s.police_officers(), " police and ", s.probation_officers(),
                      " probation officers · staffed for ", s.caseload_capacity(), " people");
}

std::string AreasSection(const v1::GetDashboardResponse& r) {
  if (r.areas_size() == 0) return "";
  std::string out =
      "<section class=\"drill\" aria-labelledby=\"areas-h\"><h2 id=\"areas-h\">Police force "
      "areas</h2><ul class=\"cards\">";
  for (const v1::Area& area : r.areas()) {
    absl::StrAppend(&out, "<li><a href=\"/area/", HtmlEscape(area.id()), "\">",
                    HtmlEscape(area.name()), "</a><span>", HtmlEscape(area.police_force()),
                    "</span></li>");
  }
  return absl::StrCat(out, "</ul></section>\n");
}

std::string TeamsSection(const v1::GetDashboardResponse& r) {
  if (r.teams_size() == 0 || r.has_team()) return "";
  std::string out =
      "<section class=\"drill\" aria-labelledby=\"teams-h\"><h2 id=\"teams-h\">IOM "
      "teams</h2><ul class=\"cards\">";
  for (const v1::Team& team : r.teams()) {
    absl::StrAppend(&out, "<li><a href=\"/team/", HtmlEscape(team.id()), "\">",
                    HtmlEscape(team.name()), "</a><span>", HtmlEscape(TeamFacts(team)),
                    "</span></li>");
  }
  return absl::StrCat(out, "</ul></section>\n");
}

std::string TeamSection(const v1::GetDashboardResponse& r) {
  if (!r.has_team()) return "";
  return absl::StrCat(
      "<section class=\"team-facts\"><p>", HtmlEscape(TeamFacts(r.team())),
      "</p><p><a class=\"button\" href=\"/team/", HtmlEscape(r.team().id()),
      "/board\">Decisions board</a> <span class=\"hint\">open breach considerations with "
      "both positions; for the team's managers, signed in</span></p></section>\n");
}

}  // namespace

std::string RenderTable(const v1::DashboardTable& table, int index) {
  bool with_reference = false;
  for (const v1::DashboardCell& cell : table.cells()) with_reference |= cell.reference() != 0;
  const std::string chart = table.chart().empty() ? "table" : table.chart();
  const std::string heading_id = absl::StrCat("table-", index, "-h");
  std::string out = absl::StrCat(
      "<section class=\"panel chart-", HtmlEscape(chart), "\" aria-labelledby=\"", heading_id,
      "\">\n<h2 id=\"", heading_id, "\">", HtmlEscape(table.title()),
      "</h2>\n<div class=\"figure\">\n<table class=\"figures\" id=\"table-", index,
      "\" data-table-id=\"", HtmlEscape(table.id()), "\" data-chart=\"", HtmlEscape(chart),
      "\" data-unit=\"", HtmlEscape(table.unit()), "\">\n<caption>", HtmlEscape(table.title()),
      table.unit().empty()
          ? ""
          : absl::StrCat(" <span class=\"unit\">(", HtmlEscape(table.unit()), ")</span>"),
      "</caption>\n<thead><tr><th scope=\"col\">", chart == "line" ? "ISO week" : "Group",
      "</th><th scope=\"col\">", HtmlEscape(UnitHeading(table.unit())), "</th>",
      with_reference ? "<th scope=\"col\">Reference</th>" : "", "</tr></thead>\n<tbody>\n");
  for (const v1::DashboardCell& cell : table.cells()) {
    absl::StrAppend(&out, Row(cell, with_reference), "\n");
  }
  absl::StrAppend(&out, "</tbody>\n");
  if (table.has_total()) {
    absl::StrAppend(&out, "<tfoot>", Row(table.total(), with_reference), "</tfoot>\n");
  }
  absl::StrAppend(&out, "</table>\n</div>\n");
  if (!table.note().empty()) {
    absl::StrAppend(&out, "<p class=\"note\">", HtmlEscape(table.note()), "</p>\n");
  }
  absl::StrAppend(&out, "</section>\n");
  return out;
}

std::string RenderDashboardPage(const v1::GetDashboardResponse& r) {
  std::vector<Crumb> crumbs;
  if (!r.has_area() && !r.has_team()) {
    crumbs.push_back({"Wales", ""});
  } else {
    crumbs.push_back({"Wales", "/"});
    if (r.has_team()) {
      crumbs.push_back({r.area().name(), absl::StrCat("/area/", r.area().id())});
      crumbs.push_back({r.team().name(), ""});
    } else {
      crumbs.push_back({r.area().name(), ""});
    }
  }
  std::string main = absl::StrCat(
      "<h1>", HtmlEscape(r.scope()), "</h1>\n<p class=\"period\">ISO weeks <strong>",
      HtmlEscape(r.from_week()), "</strong> to <strong>", HtmlEscape(r.to_week()),
      "</strong> · figures to the hub's log position <span class=\"position\">", r.view_position(),
      "</span> · counts below ", r.suppression_threshold(), " show as <em>", kSuppressedText,
      "</em></p>\n", AreasSection(r), TeamsSection(r), TeamSection(r), "<div class=\"panels\">\n");
  for (int i = 0; i < r.tables_size(); ++i) absl::StrAppend(&main, RenderTable(r.tables(i), i));
  absl::StrAppend(&main, "</div>\n");
  return RenderPage(r.scope(), crumbs, r.view_position(), main);
}

std::string RenderProblemPage(absl::string_view title, absl::string_view message) {
  return RenderPage(title, {{"Wales", "/"}, {std::string(title), ""}}, 0,
                    absl::StrCat("<h1>", HtmlEscape(title), "</h1>\n<p class=\"problem\">",
                                 HtmlEscape(message), "</p>\n"));
}

}  // namespace iomhub::dashboard
