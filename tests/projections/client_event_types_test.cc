// The kinds of client event a projection folds, checked by stored type before decoding.

#include "projections/client_event_types.h"

#include <gtest/gtest.h>

#include "services/domain/event_names.h"

namespace stipple::projections {
namespace {

namespace ev = events::v1;

TEST(ClientEventTypesTest, ContainsTheStoredTypesOfItsKindsOnly) {
  const ClientEventTypes sessions = {ev::ClientEvent::kSessionScheduled,
                                     ev::ClientEvent::kSessionCompleted};
  ev::ClientEvent completed;
  completed.mutable_session_completed()->set_session_number(2);
  EXPECT_TRUE(sessions.Contains(domain::TypeName(completed)));
  EXPECT_TRUE(sessions.Contains("client.SessionScheduled.v1"));

  ev::ClientEvent cancelled;
  cancelled.mutable_session_cancelled();
  EXPECT_FALSE(sessions.Contains(domain::TypeName(cancelled)));
  EXPECT_FALSE(sessions.Contains("client.SessionCompleted.v2")) << "another version";
  EXPECT_FALSE(sessions.Contains("artist.SessionCompleted.v1")) << "another category";
  EXPECT_FALSE(sessions.Contains(""));
  EXPECT_FALSE(ClientEventTypes({}).Contains("client.SessionCompleted.v1"));
}

}  // namespace
}  // namespace stipple::projections
