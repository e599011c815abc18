// Fuzzes command validation end to end below gRPC: each input is a sequence of commands, any of
// the command API's requests, built field by field by reflection from the fuzzer's bytes (ids
// drawn mostly from a small set so commands meet existing clients, artists and locations), run
// through the real services, command handler, domain rules and a fresh RocksDB store in memory.
// Properties: no crash or sanitizer report; every refusal is a client error (never INTERNAL,
// UNKNOWN or DATA_LOSS) and writes nothing; every success is in the log; the chain verifies.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "eventstore/rocksdb_event_store.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/time_util.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "services/artist_service.h"
#include "services/client_service.h"
#include "services/location_service.h"
#include "services/session_service.h"

namespace stipple::fuzz {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

const absl::Time kStart = absl::FromUnixSeconds(1780000000);

// Identifiers the fuzzer mostly picks from, so that commands refer to each other.
const char* const kIds[] = {"l1", "l2", "a1", "a2", "c1", "c2", "b1", "Europe/London"};

class RequestBuilder {
 public:
  // Identifiers from the small set get `prefix`, so each input starts from a world of its own.
  RequestBuilder(FuzzedDataProvider& data, absl::Time now, std::string prefix)
      : data_(data), now_(now), prefix_(std::move(prefix)) {}

  void Fill(Message& message, int depth) {
    const Descriptor& descriptor = *message.GetDescriptor();
    for (int i = 0; i < descriptor.field_count() && data_.remaining_bytes() > 0; ++i) {
      const FieldDescriptor& field = *descriptor.field(i);
      if (!data_.ConsumeBool()) continue;
      if (field.is_repeated()) {
        const int count = data_.ConsumeIntegralInRange<int>(0, 3);
        for (int k = 0; k < count; ++k) Add(message, field, depth);
      } else {
        Set(message, field, depth);
      }
    }
  }

 private:
  std::string String() {
    if (data_.ConsumeBool()) {
      const size_t pick = data_.ConsumeIntegralInRange<size_t>(0, std::size(kIds) - 1);
      return pick == std::size(kIds) - 1 ? kIds[pick] : prefix_ + kIds[pick];
    }
    // Valid UTF-8, as a gRPC peer must send (protobuf refuses anything else on parsing).
    std::string value = data_.ConsumeRandomLengthString(64);
    for (char& c : value) {
      if (static_cast<unsigned char>(c) >= 0x80) c = '?';
    }
    return value;
  }
  int Enum(const FieldDescriptor& field) {
    if (data_.ConsumeIntegralInRange<int>(0, 7) == 0) return data_.ConsumeIntegral<int>();
    const auto* type = field.enum_type();
    return type->value(data_.ConsumeIntegralInRange<int>(0, type->value_count() - 1))->number();
  }
  void SetTimestamp(Message& timestamp) {
    const absl::Time at =
        now_ + absl::Minutes(data_.ConsumeIntegralInRange<int>(-60 * 24 * 60, 60 * 24 * 60));
    timestamp.CopyFrom(
        google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(at)));
  }

  void Set(Message& message, const FieldDescriptor& field, int depth) {
    const auto* reflection = message.GetReflection();
    switch (field.cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        reflection->SetString(&message, &field, String());
        break;
      case FieldDescriptor::CPPTYPE_INT32:
        reflection->SetInt32(&message, &field, data_.ConsumeIntegralInRange<int>(-2, 40));
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        reflection->SetInt64(&message, &field, data_.ConsumeIntegral<int64_t>());
        break;
      case FieldDescriptor::CPPTYPE_UINT32:
        reflection->SetUInt32(&message, &field, data_.ConsumeIntegralInRange<uint32_t>(0, 40));
        break;
      case FieldDescriptor::CPPTYPE_UINT64:
        reflection->SetUInt64(&message, &field, data_.ConsumeIntegralInRange<uint64_t>(0, 40));
        break;
      case FieldDescriptor::CPPTYPE_BOOL:
        reflection->SetBool(&message, &field, data_.ConsumeBool());
        break;
      case FieldDescriptor::CPPTYPE_ENUM:
        reflection->SetEnumValue(&message, &field, Enum(field));
        break;
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        Message* child = reflection->MutableMessage(&message, &field);
        if (child->GetDescriptor()->full_name() == "google.protobuf.Timestamp") {
          SetTimestamp(*child);
        } else if (depth < 4) {
          Fill(*child, depth + 1);
        }
        break;
      }
      default:
        break;
    }
  }

  void Add(Message& message, const FieldDescriptor& field, int depth) {
    const auto* reflection = message.GetReflection();
    switch (field.cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        reflection->AddString(&message, &field, String());
        break;
      case FieldDescriptor::CPPTYPE_ENUM:
        reflection->AddEnumValue(&message, &field, Enum(field));
        break;
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (depth < 4) Fill(*reflection->AddMessage(&message, &field), depth + 1);
        break;
      default:
        break;
    }
  }

  FuzzedDataProvider& data_;
  absl::Time now_;
  const std::string prefix_;
};

uint64_t PositionOf(const api::v1::CommandResult& result) { return result.global_position(); }
template <typename Response>
uint64_t PositionOf(const Response& response) {
  return response.result().global_position();
}

// One store for many inputs: opening RocksDB costs far more than running an input. It lives in
// memory and is replaced every kRunsPerStore inputs so that it does not grow without bound.
constexpr int kRunsPerStore = 2000;

struct Harness {
  Harness() : env(rocksdb::NewMemEnv(rocksdb::Env::Default())) {}

  eventstore::RocksDbEventStore& Store() {
    if (store != nullptr && runs % kRunsPerStore != 0) return *store;
    if (store != nullptr) {
      store.reset();
      rocksdb::Options destroy;
      destroy.env = env.get();
      rocksdb::DestroyDB(path, destroy);
    }
    eventstore::RocksDbEventStoreOptions options;
    options.path = path;
    options.env = env.get();
    options.clock = [this] { return now; };
    auto opened = eventstore::RocksDbEventStore::Open(options);
    if (!opened.ok()) std::abort();
    store = *std::move(opened);
    return *store;
  }

  std::unique_ptr<rocksdb::Env> env;
  // Open() also makes this directory on the real file system; it stays empty.
  const std::string path = "/tmp/stipple-command-fuzzer";
  std::unique_ptr<eventstore::RocksDbEventStore> store;
  absl::Time now = kStart;
  int runs = 0;
};

Harness& TheHarness() {
  static Harness* harness = new Harness();
  return *harness;
}

bool IsClientError(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::OUT_OF_RANGE:
      return true;
    default:
      return false;
  }
}

}  // namespace
}  // namespace stipple::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace stipple;
  using namespace stipple::fuzz;
  Harness& harness = TheHarness();
  FuzzedDataProvider provider(data, size);

  eventstore::RocksDbEventStore& store = harness.Store();
  const std::string prefix = absl::StrCat("r", harness.runs++, "-");
  harness.now = kStart;
  absl::Time& now = harness.now;
  const eventstore::GlobalPosition input_start = store.HeadPosition();
  {
    services::CommandHandler handler(store, [&now] { return now; });
    services::LocationService locations(handler);
    services::ArtistService artists(handler);
    services::ClientService clients(handler);
    services::SessionService sessions(handler);
    std::vector<const google::protobuf::MethodDescriptor*> methods;
    for (const auto* service :
         {api::v1::LocationService::service_full_name(),
          api::v1::ArtistService::service_full_name(), api::v1::ClientService::service_full_name(),
          api::v1::SessionService::service_full_name()}) {
      const auto* descriptor =
          google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service);
      for (int m = 0; m < descriptor->method_count(); ++m) methods.push_back(descriptor->method(m));
    }

    for (int step = 0; step < 12 && provider.remaining_bytes() > 0; ++step) {
      const auto* method = methods[provider.ConsumeIntegralInRange<size_t>(0, methods.size() - 1)];
      now += absl::Minutes(provider.ConsumeIntegralInRange<int>(0, 60 * 24 * 40));
      const auto* prototype =
          google::protobuf::MessageFactory::generated_factory()->GetPrototype(method->input_type());
      std::unique_ptr<Message> request(prototype->New());
      RequestBuilder(provider, now, prefix).Fill(*request, 0);
      const auto head = store.HeadPosition();
      grpc::Status status;
      uint64_t position = 0;
      const std::string& name = method->name();
#define STIPPLE_DISPATCH(service, Method, Response)                                               \
  if (name == #Method) {                                                                          \
    api::v1::Response response;                                                                   \
    status = service.Method(nullptr, static_cast<const api::v1::Method##Request*>(request.get()), \
                            &response);                                                           \
    position = stipple::fuzz::PositionOf(response);                                               \
  }
      STIPPLE_DISPATCH(locations, OpenLocation, CommandResult)
      STIPPLE_DISPATCH(locations, ChangeLocationPolicy, CommandResult)
      STIPPLE_DISPATCH(artists, RegisterArtist, CommandResult)
      STIPPLE_DISPATCH(clients, RegisterClient, CommandResult)
      STIPPLE_DISPATCH(clients, RecordConsultation, RecordConsultationResponse)
      STIPPLE_DISPATCH(clients, SignConsent, CommandResult)
      STIPPLE_DISPATCH(clients, RecordContraindication, CommandResult)
      STIPPLE_DISPATCH(clients, ClearContraindication, CommandResult)
      STIPPLE_DISPATCH(clients, ApplyPatchTest, CommandResult)
      STIPPLE_DISPATCH(clients, ReadPatchTest, CommandResult)
      STIPPLE_DISPATCH(clients, WaivePatchTest, CommandResult)
      STIPPLE_DISPATCH(clients, AgreePlan, CommandResult)
      STIPPLE_DISPATCH(clients, RevisePlan, CommandResult)
      STIPPLE_DISPATCH(clients, StartTouchUp, CommandResult)
      STIPPLE_DISPATCH(clients, AmendRecord, CommandResult)
      STIPPLE_DISPATCH(clients, PutOnHold, CommandResult)
      STIPPLE_DISPATCH(clients, Resume, CommandResult)
      STIPPLE_DISPATCH(clients, Discontinue, CommandResult)
      STIPPLE_DISPATCH(clients, ChangeHomeLocation, CommandResult)
      STIPPLE_DISPATCH(sessions, ScheduleSession, ScheduleSessionResponse)
      STIPPLE_DISPATCH(sessions, CompleteSession, CommandResult)
      STIPPLE_DISPATCH(sessions, CancelSession, CommandResult)
      STIPPLE_DISPATCH(sessions, MarkNoShow, CommandResult)
#undef STIPPLE_DISPATCH
      if (status.ok()) {
        if (position == 0 || position > store.HeadPosition()) std::abort();
      } else {
        if (!IsClientError(status.error_code())) {
          std::fprintf(stderr, "%s: code %d: %s\n", name.c_str(), status.error_code(),
                       status.error_message().c_str());
          std::abort();
        }
        if (store.HeadPosition() != head) std::abort();  // A refusal wrote something.
      }
    }
    const auto head = store.HeadPosition();
    if (head > input_start) {
      auto report = store.Verify(input_start + 1, head);
      if (!report.ok() || !report->ok) std::abort();
    }
  }
  return 0;
}
