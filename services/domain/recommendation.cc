#include "services/domain/recommendation.h"

#include <algorithm>

namespace stipple::domain {

using namespace events::v1;  // NOLINT: enum constants read better unqualified here.

Recommendation Recommend(const Assessment& assessment, const LocationPolicy& policy) {
  Recommendation out;
  auto add_if = [&out](bool present, ExtraSessionReason reason) {
    if (present) out.reasons.push_back(reason);
  };
  const HairLossType type = assessment.hair_loss_type();
  const bool full_scalp = std::count(assessment.areas().begin(), assessment.areas().end(),
                                     TREATMENT_AREA_FULL_SCALP) > 0;
  add_if(assessment.scar_tissue() != SCAR_TISSUE_UNSPECIFIED &&
             assessment.scar_tissue() != SCAR_TISSUE_NONE,
         EXTRA_SESSION_REASON_SCAR_TISSUE);
  add_if(type == HAIR_LOSS_TYPE_ALOPECIA_AREATA || type == HAIR_LOSS_TYPE_ALOPECIA_TOTALIS ||
             type == HAIR_LOSS_TYPE_ALOPECIA_UNIVERSALIS,
         EXTRA_SESSION_REASON_ALOPECIA);
  add_if(assessment.norwood() >= 6 || full_scalp, EXTRA_SESSION_REASON_LARGE_AREA);
  add_if(assessment.faded_earlier_smp(), EXTRA_SESSION_REASON_FADED_EARLIER_WORK);
  add_if(assessment.density_goal() == DENSITY_GOAL_HIGH, EXTRA_SESSION_REASON_HIGH_DENSITY_GOAL);
  add_if(assessment.skin_type() == SKIN_TYPE_SENSITIVE ||
             assessment.skin_type() == SKIN_TYPE_OILY || assessment.skin_type() == SKIN_TYPE_THICK,
         EXTRA_SESSION_REASON_DIFFICULT_SKIN);
  const int uncapped = policy.base_sessions() + static_cast<int>(out.reasons.size());
  out.sessions = std::min(uncapped, policy.max_sessions());
  return out;
}

}  // namespace stipple::domain
