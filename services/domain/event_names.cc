#include "services/domain/event_names.h"

namespace stipple::domain {
namespace {

// "<category>.<Message>.v1" from the set oneof field's message type, e.g. ClientRegistered in a
// ClientEvent gives "client.ClientRegistered.v1". The message names are part of the persisted
// contract (events.proto says never to rename them).
std::string NameOf(const google::protobuf::Message& wrapper, const std::string& category) {
  const google::protobuf::Descriptor* descriptor = wrapper.GetDescriptor();
  const google::protobuf::OneofDescriptor* oneof = descriptor->oneof_decl(0);
  const google::protobuf::FieldDescriptor* field =
      wrapper.GetReflection()->GetOneofFieldDescriptor(wrapper, oneof);
  if (field == nullptr) return category + ".Unknown.v1";
  return category + "." + field->message_type()->name() + ".v1";
}

}  // namespace

std::string TypeName(const events::v1::LocationEvent& event) { return NameOf(event, "location"); }
std::string TypeName(const events::v1::ArtistEvent& event) { return NameOf(event, "artist"); }
std::string TypeName(const events::v1::ClientEvent& event) { return NameOf(event, "client"); }

}  // namespace stipple::domain
