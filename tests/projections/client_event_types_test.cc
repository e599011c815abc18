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

TEST(ClientEventTypesTest, AllButHoldsEveryOtherKindAndNoUnknownType) {
  const ClientEventTypes others = ClientEventTypes::AllBut({ev::ClientEvent::kSessionCompleted});
  EXPECT_FALSE(others.Contains(domain::TypeName(ev::ClientEvent::kSessionCompleted)));
  const google::protobuf::OneofDescriptor* oneof = ev::ClientEvent::descriptor()->oneof_decl(0);
  for (int i = 0; i < oneof->field_count(); ++i) {
    const auto kind = static_cast<ev::ClientEvent::EventCase>(oneof->field(i)->number());
    if (kind == ev::ClientEvent::kSessionCompleted) continue;
    EXPECT_TRUE(others.Contains(domain::TypeName(kind))) << oneof->field(i)->name();
  }
  // A type it does not know is not among the kinds skipped: its payload is decoded.
  EXPECT_FALSE(others.Contains("client.SessionCompleted.v2"));
  EXPECT_FALSE(others.Contains("client.Unknown.v1"));
}

}  // namespace
}  // namespace stipple::projections
