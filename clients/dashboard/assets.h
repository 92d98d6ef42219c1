// The dashboard's own static files (assets/: dashboard.css, dashboard.js),
// embedded in the binary at build time (embed_assets.cmake), so an
// installed dashboard needs nothing beside it but Debian's Chart.js.
#ifndef IOMHUB_CLIENTS_DASHBOARD_ASSETS_H_
#define IOMHUB_CLIENTS_DASHBOARD_ASSETS_H_

#include "absl/strings/string_view.h"

namespace iomhub::dashboard {

struct Asset {
  absl::string_view name;          // "dashboard.js"
  absl::string_view content_type;  // "text/javascript; charset=utf-8"
  absl::string_view body;
};

// The embedded file called `name`, or nullptr.
const Asset* FindAsset(absl::string_view name);

}  // namespace iomhub::dashboard

#endif  // IOMHUB_CLIENTS_DASHBOARD_ASSETS_H_
