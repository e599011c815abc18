#ifndef STIPPLE_PROJECTIONS_DETERMINISTIC_BYTES_H_
#define STIPPLE_PROJECTIONS_DETERMINISTIC_BYTES_H_

#include <string>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/message_lite.h"

namespace stipple::projections {

// One byte string per message content: map entries in key order, so equal models store equal
// bytes (a rebuild can be compared with the live model, a report with the last one sent).
//
// Sized first and written into a string of that size: through a growing string stream, the
// buffer's zero-filling and trimming took most of the encoding (8 % of a rebuild's instructions).
inline std::string DeterministicBytes(const google::protobuf::MessageLite& message) {
  const size_t size = message.ByteSizeLong();  // Caches the sizes SerializeWithCachedSizes uses.
  std::string out(size, '\0');
  google::protobuf::io::ArrayOutputStream array(out.data(), static_cast<int>(size));
  google::protobuf::io::CodedOutputStream coded(&array);
  coded.SetSerializationDeterministic(true);
  message.SerializeWithCachedSizes(&coded);
  return out;
}

}  // namespace stipple::projections

#endif  // STIPPLE_PROJECTIONS_DETERMINISTIC_BYTES_H_
