#include "services/request_shape.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "services/domain/errors.h"

namespace stipple::services {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

bool IsIdentifier(const FieldDescriptor& field) {
  return absl::EndsWith(field.name(), "_id") || absl::EndsWith(field.name(), "_ids");
}

bool IsFreeText(const FieldDescriptor& field) {
  return field.name() == "notes" || field.name() == "reason" || field.name() == "corrected_value" ||
         absl::EndsWith(field.name(), "_notes");
}

absl::Status CheckString(const FieldDescriptor& field, const std::string& path,
                         const std::string& value) {
  const size_t limit = IsIdentifier(field) ? kMaxIdentifierBytes
                       : IsFreeText(field) ? kMaxFreeTextBytes
                                           : kMaxShortTextBytes;
  if (value.size() > limit) {
    return domain::InvalidField(path,
                                absl::StrCat(value.size(), " bytes exceeds the limit of ", limit));
  }
  if (IsIdentifier(field)) {
    for (unsigned char c : value) {
      if (c < 0x20 || c == 0x7f) return domain::InvalidField(path, "contains a control character");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckEnum(const FieldDescriptor& field, const std::string& path, int value) {
  if (field.enum_type()->FindValueByNumber(value) != nullptr) return absl::OkStatus();
  return domain::InvalidField(path,
                              absl::StrCat(value, " is not a known ", field.enum_type()->name()));
}

absl::Status CheckMessage(const Message& message, const std::string& prefix);

// One value of `field` (element `index` when repeated, else -1) at `path`.
absl::Status CheckValue(const Message& message, const FieldDescriptor& field, int index,
                        const std::string& path) {
  const Reflection& reflection = *message.GetReflection();
  const bool repeated = index >= 0;
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      if (field.type() == FieldDescriptor::TYPE_BYTES) return absl::OkStatus();
      return CheckString(field, path,
                         repeated ? reflection.GetRepeatedString(message, &field, index)
                                  : reflection.GetString(message, &field));
    case FieldDescriptor::CPPTYPE_ENUM:
      return CheckEnum(field, path,
                       repeated ? reflection.GetRepeatedEnumValue(message, &field, index)
                                : reflection.GetEnumValue(message, &field));
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return CheckMessage(repeated ? reflection.GetRepeatedMessage(message, &field, index)
                                   : reflection.GetMessage(message, &field),
                          path + ".");
    default:
      return absl::OkStatus();
  }
}

absl::Status CheckMessage(const Message& message, const std::string& prefix) {
  const Reflection& reflection = *message.GetReflection();
  if (!reflection.GetUnknownFields(message).empty()) {
    // Fields this build does not know would be dropped silently from the recorded event.
    return domain::InvalidField(prefix.empty() ? "request" : prefix.substr(0, prefix.size() - 1),
                                "has fields this server does not know");
  }
  std::vector<const FieldDescriptor*> fields;
  reflection.ListFields(message, &fields);  // Only fields that are set.
  for (const FieldDescriptor* field : fields) {
    const std::string path = prefix + field->name();
    if (!field->is_repeated()) {
      if (absl::Status s = CheckValue(message, *field, -1, path); !s.ok()) return s;
      continue;
    }
    const int size = reflection.FieldSize(message, field);
    if (size > kMaxRepeated) {
      return domain::InvalidField(
          path, absl::StrCat(size, " entries exceeds the limit of ", kMaxRepeated));
    }
    for (int i = 0; i < size; ++i) {
      if (absl::Status s = CheckValue(message, *field, i, absl::StrCat(path, "[", i, "]"));
          !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckRequestShape(const google::protobuf::Message& request) {
  return CheckMessage(request, "");
}

}  // namespace stipple::services
