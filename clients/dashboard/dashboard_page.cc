// The figures pages (Wales, an area, a team) and the problem page.
#include <map>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
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

// The tables the hub made for one area within Wales ("accommodation_trend/
// gwent"), by area id; the rest under "".
std::map<std::string, std::vector<int>> TablesByArea(const v1::GetDashboardResponse& r) {
  std::map<std::string, std::vector<int>> out;
  for (int i = 0; i < r.tables_size(); ++i) {
    std::string area;
    for (const v1::Area& a : r.areas()) {
      if (absl::EndsWith(r.tables(i).id(), absl::StrCat("/", a.id()))) area = a.id();
    }
    out[area].push_back(i);
  }
  return out;
}

// "57.1%" or "2.5 days": a figure with its unit, for a headline.
std::string WithUnit(const v1::DashboardCell& cell, absl::string_view unit) {
  if (cell.suppressed()) return kSuppressedText;
  if (unit == "%") return absl::StrCat(FormatValue(cell.value()), "%");
  return absl::StrCat(FormatValue(cell.value()), unit.empty() ? "" : " ", unit);
}

// Each area's card: its name to drill into, its force, and the latest week
// of each of its own trends. In the hub's (configuration) order: never a
// ranking.
std::string AreasSection(const v1::GetDashboardResponse& r,
                         const std::map<std::string, std::vector<int>>& by_area) {
  if (r.areas_size() == 0) return "";
  std::string out =
      "<section class=\"drill\" aria-labelledby=\"areas-h\"><h2 id=\"areas-h\">Police force "
      "areas</h2><ul class=\"cards\">";
  for (const v1::Area& area : r.areas()) {
    absl::StrAppend(&out, "<li><a href=\"/area/", HtmlEscape(area.id()), "\">",
                    HtmlEscape(area.name()), "</a><span>", HtmlEscape(area.police_force()),
                    "</span>");
    auto tables = by_area.find(area.id());
    if (tables != by_area.end()) {
      absl::StrAppend(&out, "<dl class=\"headline\">");
      for (int i : tables->second) {
        const v1::DashboardTable& t = r.tables(i);
        if (t.cells().empty()) continue;
        const v1::DashboardCell& latest = *t.cells().rbegin();
        absl::string_view title = t.title();
        absl::ConsumeSuffix(&title, absl::StrCat(", ", area.name()));
        absl::StrAppend(&out, "<dt>", HtmlEscape(title), " <small>(", HtmlEscape(latest.label()),
                        ")</small></dt><dd data-table-id=\"", HtmlEscape(t.id()), "\">",
                        HtmlEscape(WithUnit(latest, t.unit())), "</dd>");
      }
      absl::StrAppend(&out, "</dl>");
    }
    absl::StrAppend(&out, "</li>");
  }
  return absl::StrCat(out, "</ul></section>\n");
}

// Each area's own trends, one area after another under its name.
std::string AreaTrends(const v1::GetDashboardResponse& r,
                       const std::map<std::string, std::vector<int>>& by_area) {
  std::string out;
  for (const v1::Area& area : r.areas()) {
    auto tables = by_area.find(area.id());
    if (tables == by_area.end()) continue;
    absl::StrAppend(&out, "<section class=\"area-trends\" aria-labelledby=\"trends-",
                    HtmlEscape(area.id()), "\"><h2 id=\"trends-", HtmlEscape(area.id()), "\">",
                    HtmlEscape(area.name()), ": its own trends</h2>\n<div class=\"panels\">\n");
    for (int i : tables->second) absl::StrAppend(&out, RenderTable(r.tables(i), i, 3));
    absl::StrAppend(&out, "</div>\n</section>\n");
  }
  return out;
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

std::string RenderTable(const v1::DashboardTable& table, int index, int heading_level) {
  bool with_reference = false;
  for (const v1::DashboardCell& cell : table.cells()) with_reference |= cell.reference() != 0;
  const std::string chart = table.chart().empty() ? "table" : table.chart();
  const std::string heading_id = absl::StrCat("table-", index, "-h");
  const std::string h = absl::StrCat("h", heading_level);
  std::string out = absl::StrCat(
      "<section class=\"panel chart-", HtmlEscape(chart), "\" aria-labelledby=\"", heading_id,
      "\">\n<", h, " id=\"", heading_id, "\">", HtmlEscape(table.title()), "</", h,
      ">\n<div class=\"figure\">\n<table class=\"figures\" id=\"table-", index,
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
  const std::map<std::string, std::vector<int>> by_area = TablesByArea(r);
  std::string main =
      absl::StrCat("<h1>", HtmlEscape(r.scope()), "</h1>\n<p class=\"period\">ISO weeks <strong>",
                   HtmlEscape(r.from_week()), "</strong> to <strong>", HtmlEscape(r.to_week()),
                   "</strong> · figures to the hub's log position <span class=\"position\">",
                   r.view_position(), "</span> · counts below ", r.suppression_threshold(),
                   " show as <em>", kSuppressedText, "</em></p>\n", AreasSection(r, by_area),
                   TeamsSection(r), TeamSection(r), "<div class=\"panels\">\n");
  if (auto general = by_area.find(""); general != by_area.end()) {
    for (int i : general->second) absl::StrAppend(&main, RenderTable(r.tables(i), i));
  }
  absl::StrAppend(&main, "</div>\n", AreaTrends(r, by_area));
  return RenderPage(r.scope(), crumbs, r.view_position(), main);
}

std::string RenderProblemPage(absl::string_view title, absl::string_view message) {
  return RenderPage(title, {{"Wales", "/"}, {std::string(title), ""}}, 0,
                    absl::StrCat("<h1>", HtmlEscape(title), "</h1>\n<p class=\"problem\">",
                                 HtmlEscape(message), "</p>\n"));
}

}  // namespace iomhub::dashboard
