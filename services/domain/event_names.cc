#include "services/domain/event_names.h"

namespace stipple::domain {
namespace {

// "<category>.<Message>.v1" from the message type of the wrapper's oneof field `field_number`, e.g.
// ClientRegistered in a ClientEvent gives "client.ClientRegistered.v1". The message names are part
// of the persisted contract (events.proto says never to rename them).
std::string NameOfField(const google::protobuf::Descriptor& wrapper, int field_number,
                        const std::string& category) {
  const google::protobuf::FieldDescriptor* field = wrapper.FindFieldByNumber(field_number);
  if (field == nullptr || field->message_type() == nullptr) return category + ".Unknown.v1";
  return category + "." + field->message_type()->name() + ".v1";
}

std::string NameOf(const google::protobuf::Message& wrapper, const std::string& category) {
  const google::protobuf::Descriptor* descriptor = wrapper.GetDescriptor();
  const google::protobuf::FieldDescriptor* field =
      wrapper.GetReflection()->GetOneofFieldDescriptor(wrapper, descriptor->oneof_decl(0));
  return NameOfField(*descriptor, field != nullptr ? field->number() : 0, category);
}

}  // namespace

std::string TypeName(const events::v1::LocationEvent& event) { return NameOf(event, "location"); }
std::string TypeName(const events::v1::ArtistEvent& event) { return NameOf(event, "artist"); }
std::string TypeName(const events::v1::ClientEvent& event) { return NameOf(event, "client"); }

std::string TypeName(events::v1::ClientEvent::EventCase event_case) {
  // A oneof's cases are numbered as its fields.
  return NameOfField(*events::v1::ClientEvent::descriptor(), event_case, "client");
}

}  // namespace stipple::domain
