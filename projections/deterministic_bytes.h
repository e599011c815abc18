#ifndef STIPPLE_PROJECTIONS_DETERMINISTIC_BYTES_H_
#define STIPPLE_PROJECTIONS_DETERMINISTIC_BYTES_H_

#include <limits>
#include <string>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/message_lite.h"

namespace stipple::projections {

// One byte string per message content: map entries in key order, so equal models store equal
// bytes (a rebuild can be compared with the live model, a report with the last one sent).
//
// Sized first and written into a string of that size: through a growing string stream, zero-filling
// and trimming the stream's buffer took most of the encoding (RESULTS.md, "The rebuild: three
// cuts"). Like protobuf's own encoders, returns nothing for a message over 2 GiB.
inline std::string DeterministicBytes(const google::protobuf::MessageLite& message) {
  const size_t size = message.ByteSizeLong();  // Caches the sizes SerializeWithCachedSizes uses.
  if (size > static_cast<size_t>(std::numeric_limits<int>::max())) return std::string();
  std::string out(size, '\0');
  {
    // The stream holds the last bytes until it is destroyed: out is complete after this block.
    google::protobuf::io::ArrayOutputStream array(out.data(), static_cast<int>(size));
    google::protobuf::io::CodedOutputStream coded(&array);
    coded.SetSerializationDeterministic(true);
    message.SerializeWithCachedSizes(&coded);
  }
  return out;
}

}  // namespace stipple::projections

#endif  // STIPPLE_PROJECTIONS_DETERMINISTIC_BYTES_H_
