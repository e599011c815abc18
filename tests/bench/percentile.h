#ifndef STIPPLE_TESTS_BENCH_PERCENTILE_H_
#define STIPPLE_TESTS_BENCH_PERCENTILE_H_

#include <algorithm>
#include <vector>

namespace stipple::bench {

// The p-th quantile (0..1) of `values` (nearest rank); 0 for none.
inline double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  const size_t at = std::min(values.size() - 1, static_cast<size_t>(p * values.size()));
  std::nth_element(values.begin(), values.begin() + at, values.end());
  return values[at];
}

// Of values in ascending order: the middle one, or the mean of the middle two; 0 for none.
inline double Median(const std::vector<double>& sorted) {
  if (sorted.empty()) return 0;
  const size_t middle = sorted.size() / 2;
  return sorted.size() % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

}  // namespace stipple::bench

#endif  // STIPPLE_TESTS_BENCH_PERCENTILE_H_
