#ifndef STIPPLE_SERVICES_DOMAIN_RECOMMENDATION_H_
#define STIPPLE_SERVICES_DOMAIN_RECOMMENDATION_H_

#include <vector>

#include "stipple/events/v1/events.pb.h"

namespace stipple::domain {

struct Recommendation {
  int sessions = 0;
  std::vector<events::v1::ExtraSessionReason> reasons;  // One per extra session, in rule order.
};

// The location's base number of sessions plus one for each factor present (scar tissue, alopecia,
// a large area, faded earlier work, a high density goal, difficult skin), capped at its maximum.
Recommendation Recommend(const events::v1::Assessment& assessment,
                         const events::v1::LocationPolicy& policy);

}  // namespace stipple::domain

#endif  // STIPPLE_SERVICES_DOMAIN_RECOMMENDATION_H_
