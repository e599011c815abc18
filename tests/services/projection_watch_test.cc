#include "services/projection_watch.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace stipple::services {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

projections::Lag Healthy(const std::string& name) {
  projections::Lag lag;
  lag.name = name;
  lag.checkpoint = 90;
  lag.lag = 10;
  return lag;
}

TEST(ProjectionWatchTest, AProjectionThatStopsIsLoggedOnceAsAnErrorAndItsRecoveryOnce) {
  const std::vector<projections::Lag> healthy = {Healthy("reports"), Healthy("client_summary")};
  std::vector<projections::Lag> stopped = healthy;
  stopped[1].health = absl::DataLossError("client event does not parse");

  EXPECT_THAT(ProjectionWatch::Changes(healthy, healthy), IsEmpty());
  EXPECT_THAT(ProjectionWatch::Changes(healthy, stopped),
              ElementsAre(Pair(
                  LogLevel::kError,
                  AllOf(HasSubstr("client_summary"), HasSubstr("checkpoint 90"),
                        HasSubstr("10 events behind"), HasSubstr("client event does not parse")))));
  EXPECT_THAT(ProjectionWatch::Changes(stopped, stopped), IsEmpty());  // Said once.
  EXPECT_THAT(ProjectionWatch::Changes(stopped, healthy),
              ElementsAre(Pair(LogLevel::kInfo, HasSubstr("client_summary follows the log"))));
}

TEST(ProjectionWatchTest, ADifferentFailureIsLoggedAgain) {
  std::vector<projections::Lag> full = {Healthy("reports")};
  full[0].health = absl::ResourceExhaustedError("disk full");
  std::vector<projections::Lag> broken = {Healthy("reports")};
  broken[0].health = absl::DataLossError("bad entry");
  EXPECT_THAT(ProjectionWatch::Changes(full, broken),
              ElementsAre(Pair(LogLevel::kError, HasSubstr("bad entry"))));
}

TEST(ProjectionWatchTest, RetriesOfOneFailureWithMessagesOfTheirOwnAreNotLoggedAgain) {
  std::vector<projections::Lag> full = {Healthy("reports")};
  full[0].health = absl::ResourceExhaustedError("no space for ingest-reports-7.sst");
  std::vector<projections::Lag> still_full = {Healthy("reports")};
  still_full[0].health = absl::ResourceExhaustedError("no space for ingest-reports-8.sst");
  EXPECT_THAT(ProjectionWatch::Changes(full, still_full), IsEmpty());
}

TEST(ProjectionWatchTest, AFailedCompactionIsAWarningAndAFirstReadingReportsWhatIsWrong) {
  std::vector<projections::Lag> uncompacted = {Healthy("artist_schedule")};
  uncompacted[0].compaction_failure = absl::ResourceExhaustedError("No space left on device");
  // The first reading (nothing before) reports a failure, and nothing for a healthy one.
  EXPECT_THAT(ProjectionWatch::Changes({}, {Healthy("reports")}), IsEmpty());
  EXPECT_THAT(ProjectionWatch::Changes({}, uncompacted),
              ElementsAre(Pair(LogLevel::kWarning,
                               AllOf(HasSubstr("artist_schedule"), HasSubstr("No space left")))));
  EXPECT_THAT(ProjectionWatch::Changes(uncompacted, {Healthy("artist_schedule")}),
              ElementsAre(Pair(LogLevel::kInfo,
                               HasSubstr("artist_schedule no longer serves an uncompacted"))));
}

}  // namespace
}  // namespace stipple::services
