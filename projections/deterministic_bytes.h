#ifndef STIPPLE_PROJECTIONS_DETERMINISTIC_BYTES_H_
#define STIPPLE_PROJECTIONS_DETERMINISTIC_BYTES_H_

#include <string>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/message_lite.h"

namespace stipple::projections {

// One byte string per message content: map entries in key order, so equal models store equal
// bytes (a rebuild can be compared with the live model, a report with the last one sent).
inline std::string DeterministicBytes(const google::protobuf::MessageLite& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

}  // namespace stipple::projections

#endif  // STIPPLE_PROJECTIONS_DETERMINISTIC_BYTES_H_
