#ifndef STIPPLE_SERVICES_DOMAIN_TIME_CONVERT_H_
#define STIPPLE_SERVICES_DOMAIN_TIME_CONVERT_H_

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace stipple::domain {

inline absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

inline google::protobuf::Timestamp ToProto(absl::Time t) {
  google::protobuf::Timestamp out;
  const int64_t seconds = absl::ToUnixSeconds(t);
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds))));
  return out;
}

}  // namespace stipple::domain

#endif  // STIPPLE_SERVICES_DOMAIN_TIME_CONVERT_H_
