// The small pieces every dashboard page is built from: escaping, how a
// figure is written, and the page around the content. Pure functions;
// thread-safe.
#ifndef IOMHUB_CLIENTS_DASHBOARD_HTML_H_
#define IOMHUB_CLIENTS_DASHBOARD_HTML_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace iomhub::dashboard {

// `text` safe inside HTML text and double-quoted attribute values.
std::string HtmlEscape(absl::string_view text);

// `text` safe inside a JSON string literal (quotes, backslashes and control
// characters escaped; "<" too, so it is also safe inside HTML).
std::string JsonEscape(absl::string_view text);

// A figure as people read it: whole numbers without decimals ("12"),
// others to at most two decimals, trailing zeros dropped ("2.5", "33.33").
// No thousands separators, so a script can read it back.
std::string FormatValue(double value);

// What a suppressed figure shows instead of a number.
inline constexpr char kSuppressedText[] = "suppressed";

// What the figures pages say at their foot (HTML).
inline constexpr char kAggregatesFooter[] =
    "Aggregates from the iomhub hub (CaseService.GetDashboard), never a person. Counts below 5, "
    "and figures built on them, show as <em>suppressed</em>. Charts are drawn from the tables "
    "beside them.";

// One step of the breadcrumb trail: its text and link ("" for the page
// itself).
using Crumb = std::pair<std::string, std::string>;

// A whole page: head (stylesheet, Chart.js and dashboard.js from this
// server, nothing inline), the masthead with `crumbs` and the live-update
// status, then `main_html` inside <main id="main">. `view_position` is the
// log position the figures reflect (0 when none), for the page's script to
// compare with the live updates. `main_html` and `footer_html` must already
// be escaped.
std::string RenderPage(absl::string_view title, const std::vector<Crumb>& crumbs,
                       uint64_t view_position, absl::string_view main_html,
                       absl::string_view footer_html = kAggregatesFooter);

}  // namespace iomhub::dashboard

#endif  // IOMHUB_CLIENTS_DASHBOARD_HTML_H_
