// Stored type names: the name of a kind of client event, with or without an event at hand.

#include "services/domain/event_names.h"

#include <gtest/gtest.h>

namespace stipple::domain {
namespace {

namespace ev = events::v1;

TEST(EventNamesTest, AKindIsNamedAsAnEventOfThatKind) {
  const google::protobuf::OneofDescriptor* oneof = ev::ClientEvent::descriptor()->oneof_decl(0);
  ASSERT_GT(oneof->field_count(), 10);
  for (int i = 0; i < oneof->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = oneof->field(i);
    ev::ClientEvent event;
    event.GetReflection()->MutableMessage(&event, field);  // Sets the oneof to this kind.
    ASSERT_EQ(event.event_case(), field->number());
    EXPECT_EQ(TypeName(event.event_case()), TypeName(event)) << field->name();
  }
}

TEST(EventNamesTest, NamesAreTheStoredContract) {
  EXPECT_EQ(TypeName(ev::ClientEvent::kSessionCompleted), "client.SessionCompleted.v1");
  EXPECT_EQ(TypeName(ev::ClientEvent::kRegistered), "client.ClientRegistered.v1");
  EXPECT_EQ(TypeName(ev::ClientEvent::EVENT_NOT_SET), "client.Unknown.v1");
  EXPECT_EQ(TypeName(ev::ClientEvent()), "client.Unknown.v1");
}

}  // namespace
}  // namespace stipple::domain
