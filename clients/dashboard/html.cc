#include "clients/dashboard/html.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace iomhub::dashboard {

std::string HtmlEscape(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string JsonEscape(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (byte < 0x20 || c == '<') {
      out += absl::StrFormat("\\u%04x", byte);
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatValue(double value) {
  if (!std::isfinite(value)) return "-";
  const double rounded = std::round(value * 100) / 100;
  if (rounded == std::floor(rounded)) return absl::StrFormat("%.0f", rounded);
  std::string text = absl::StrFormat("%.2f", rounded);
  while (text.back() == '0') text.pop_back();
  return text;
}

std::string RenderPage(absl::string_view title, const std::vector<Crumb>& crumbs,
                       uint64_t view_position, absl::string_view main_html,
                       absl::string_view footer_html) {
  std::string out = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
      HtmlEscape(title),
      " · IOM dashboard</title>\n"
      "<link rel=\"stylesheet\" href=\"/static/dashboard.css\">\n"
      "<script src=\"/static/chart.js\" defer></script>\n"
      "<script src=\"/static/dashboard.js\" defer></script>\n</head>\n<body>\n"
      "<a class=\"skip\" href=\"#main\">Skip to the figures</a>\n"
      "<header class=\"masthead\">\n<p class=\"brand\">Integrated Offender Management in Wales"
      " <span>dashboard</span></p>\n<nav aria-label=\"Breadcrumb\"><ol class=\"crumbs\">");
  for (const auto& [text, link] : crumbs) {
    if (link.empty()) {
      absl::StrAppend(&out, "<li aria-current=\"page\">", HtmlEscape(text), "</li>");
    } else {
      absl::StrAppend(&out, "<li><a href=\"", HtmlEscape(link), "\">", HtmlEscape(text),
                      "</a></li>");
    }
  }
  absl::StrAppend(&out,
                  "</ol></nav>\n<p id=\"live\" class=\"live\" role=\"status\" "
                  "aria-live=\"polite\"></p>\n</header>\n<main id=\"main\" data-view-position=\"",
                  view_position, "\">\n", main_html, "</main>\n<footer class=\"footer\"><p>",
                  footer_html,
                  "</p></footer>\n"
                  "</body>\n</html>\n");
  return out;
}

}  // namespace iomhub::dashboard
