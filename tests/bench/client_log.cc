#include "tests/bench/client_log.h"

#include <atomic>
#include <cstdlib>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/domain/event_names.h"
#include "services/domain/policy.h"
#include "services/domain/time_convert.h"

namespace stipple::bench {
namespace {

namespace ev = stipple::events::v1;

constexpr int64_t kClientsPerAppend = 50;

eventstore::ProposedEvent Proposed(std::string id, const ev::ClientEvent& event) {
  eventstore::ProposedEvent proposed;
  proposed.event_id = std::move(id);
  proposed.type = domain::TypeName(event);
  proposed.payload = event.SerializeAsString();
  proposed.metadata.actor = "desk-1";
  proposed.metadata.location = "loc-0";
  return proposed;
}

}  // namespace

std::string BenchClientId(int64_t n) { return absl::StrCat("client-", n); }
std::string BenchLocationId(int n) { return absl::StrCat("loc-", n); }

int64_t WriteClientLog(eventstore::EventStore& store, int64_t clients, int threads) {
  for (int l = 0; l < kBenchLocations; ++l) {
    ev::LocationEvent opened;
    opened.mutable_opened()->set_location_id(BenchLocationId(l));
    opened.mutable_opened()->set_name(absl::StrCat("Studio ", l));
    opened.mutable_opened()->set_time_zone("Europe/London");
    *opened.mutable_opened()->mutable_policy() = domain::DefaultPolicy();
    eventstore::ProposedEvent event;
    event.event_id = absl::StrCat("open-", l);
    event.type = domain::TypeName(opened);
    event.payload = opened.SerializeAsString();
    event.metadata.actor = "owner";
    if (!store
             .Append({domain::LocationStream(BenchLocationId(l)),
                      eventstore::ExpectedVersion::NoStream(),
                      {event}})
             .ok()) {
      std::abort();
    }
  }
  const absl::Time consulted = absl::FromCivil(absl::CivilDay(2026, 11, 2), absl::UTCTimeZone());
  std::atomic<int64_t> next_batch{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < threads; ++t) {
    writers.emplace_back([&] {
      for (int64_t first; (first = next_batch.fetch_add(kClientsPerAppend)) < clients;) {
        std::vector<eventstore::StreamAppend> parts;
        for (int64_t n = first; n < std::min(clients, first + kClientsPerAppend); ++n) {
          const std::string id = BenchClientId(n);
          ev::ClientEvent registered;
          registered.mutable_registered()->set_client_id(id);
          registered.mutable_registered()->set_home_location_id(
              BenchLocationId(static_cast<int>(n % kBenchLocations)));
          registered.mutable_registered()->mutable_personal()->set_full_name(
              absl::StrCat("Client Number ", n));
          registered.mutable_registered()->mutable_personal()->set_phone("+44 20 7946 0000");
          ev::ClientEvent consultation;
          auto* recorded = consultation.mutable_consultation_recorded();
          recorded->set_location_id(BenchLocationId(static_cast<int>(n % kBenchLocations)));
          recorded->set_artist_id("artist-1");
          recorded->mutable_assessment()->set_hair_loss_type(ev::HAIR_LOSS_TYPE_MALE_PATTERN);
          recorded->mutable_assessment()->set_norwood(static_cast<int>(2 + n % 6));
          recorded->mutable_assessment()->add_areas(ev::TREATMENT_AREA_HAIRLINE);
          recorded->set_recommended_sessions(3 + static_cast<int>(n % 2));
          *recorded->mutable_consulted_at() = domain::ToProto(consulted + absl::Minutes(n % 20000));
          parts.push_back({domain::ClientStream(id),
                           eventstore::ExpectedVersion::NoStream(),
                           {Proposed(id + "/0", registered), Proposed(id + "/1", consultation)}});
        }
        if (!store.AppendMulti(parts).ok()) std::abort();
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  return kBenchLocations + 2 * clients;
}

}  // namespace stipple::bench
