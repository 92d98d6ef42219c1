#include "projections/dashboard_suppression.h"

#include <cmath>
#include <utility>

namespace iomhub::projections {

void Suppress(v1::DashboardCell& cell) {
  cell.set_suppressed(true);
  cell.set_value(0);
}

v1::DashboardCell CountCell(std::string key, std::string label, uint64_t count, double reference) {
  v1::DashboardCell cell;
  cell.set_key(std::move(key));
  cell.set_label(std::move(label));
  cell.set_value(static_cast<double>(count));
  cell.set_reference(reference);
  if (count < kSuppressBelow) Suppress(cell);
  return cell;
}

v1::DashboardCell RateCell(std::string key, std::string label, uint64_t numerator,
                           uint64_t denominator, RateKind kind, double scale, double reference) {
  v1::DashboardCell cell;
  cell.set_key(std::move(key));
  cell.set_label(std::move(label));
  cell.set_reference(reference);
  const bool small = numerator < kSuppressBelow || denominator < kSuppressBelow ||
                     (kind == RateKind::kShare &&
                      (numerator > denominator || denominator - numerator < kSuppressBelow));
  if (small) {
    Suppress(cell);
    return cell;
  }
  // One decimal place: enough to read, too coarse to back out a count.
  const double value = scale * static_cast<double>(numerator) / static_cast<double>(denominator);
  cell.set_value(std::round(value * 10) / 10);
  return cell;
}

void ProtectTotal(v1::DashboardTable& table) {
  if (!table.has_total() || table.total().suppressed()) return;
  int suppressed = 0;
  v1::DashboardCell* smallest = nullptr;
  for (v1::DashboardCell& cell : *table.mutable_cells()) {
    if (cell.suppressed()) {
      ++suppressed;
    } else if (smallest == nullptr || cell.value() < smallest->value()) {
      smallest = &cell;
    }
  }
  if (suppressed != 1) return;
  Suppress(smallest != nullptr ? *smallest : *table.mutable_total());
}

}  // namespace iomhub::projections
