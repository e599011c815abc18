// Dashboard reports on a hand-built month: two locations in different time zones, three artists,
// a dozen clients, no-shows, a late and an early cancellation, a revised plan, two completed
// courses. Every figure below was worked out by hand from the scenario.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "projections/reports.h"
#include "rocksdb/db.h"
#include "stipple/projections/v1/read_models.pb.h"
#include "tests/services/api_fixture.h"

namespace stipple::services {
namespace {

using namespace testing;  // NOLINT: the fixture's vocabulary.
using ::testing::DoubleEq;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

absl::Time Utc(int month, int day, int hour) {
  return absl::FromCivil(absl::CivilSecond(2026, month, day, hour, 0, 0), absl::UTCTimeZone());
}

class ReportScenarioTest : public ApiTest {
 protected:
  // The clock starts at 2026-03-02 09:00 UTC, a Monday.
  void SetUp() override {
    ApiTest::SetUp();
    api::CommandResult result;
    for (auto [id, zone] : {std::pair{"london", "Europe/London"}, {"nyc", "America/New_York"}}) {
      api::OpenLocationRequest open;
      *open.mutable_context() = Ctx("owner");
      open.set_location_id(id);
      open.set_name(id);
      open.set_time_zone(zone);
      ASSERT_TRUE(OpenLocation(open, &result).ok());
    }
    for (auto [id, locations] : std::vector<std::pair<std::string, std::vector<std::string>>>{
             {"a1", {"london", "nyc"}}, {"a2", {"london"}}, {"a3", {"nyc"}}}) {
      api::RegisterArtistRequest artist;
      *artist.mutable_context() = Ctx("owner");
      artist.set_artist_id(id);
      artist.set_name(id);
      for (const std::string& location : locations) artist.add_location_ids(location);
      ASSERT_TRUE(RegisterArtist(artist, &result).ok());
    }
  }

  void Check(const grpc::Status& status) { ASSERT_TRUE(status.ok()) << status.error_message(); }

  // Registers and consults a client: with `scar`, 4 sessions are recommended, else 3.
  void Consult(const std::string& id, const std::string& location, bool scar) {
    api::CommandResult result;
    api::RegisterClientRequest reg;
    *reg.mutable_context() = Ctx("desk", location);
    reg.set_client_id(id);
    reg.set_home_location_id(location);
    reg.mutable_personal()->set_full_name(id);
    Check(RegisterClient(reg, &result));
    api::RecordConsultationRequest consult;
    *consult.mutable_context() = Ctx("a1", location);
    consult.set_client_id(id);
    consult.set_location_id(location);
    consult.set_artist_id("a1");
    *consult.mutable_assessment() = Assessment();
    if (!scar) consult.mutable_assessment()->set_scar_tissue(ev::SCAR_TISSUE_NONE);
    api::RecordConsultationResponse consulted;
    Check(RecordConsultation(consult, &consulted));
    ASSERT_EQ(consulted.recommended_sessions(), scar ? 4 : 3);
  }

  void Plan(const std::string& id, int sessions, const std::string& deviation = "") {
    api::CommandResult result;
    api::SignConsentRequest consent;
    *consent.mutable_context() = Ctx();
    consent.set_client_id(id);
    consent.set_kind(ev::CONSENT_KIND_TREATMENT);
    consent.set_template_version("v1");
    Check(SignConsent(consent, &result));
    api::WaivePatchTestRequest waive;
    *waive.mutable_context() = Ctx();
    waive.set_client_id(id);
    waive.set_reason("declined");
    Check(WaivePatchTest(waive, &result));
    api::AgreePlanRequest plan;
    *plan.mutable_context() = Ctx();
    plan.set_client_id(id);
    plan.set_planned_sessions(sessions);
    plan.set_deviation_reason(deviation);
    Check(AgreePlan(plan, &result));
  }

  void Book(const std::string& id, const std::string& location, const std::string& artist,
            absl::Time start) {
    api::ScheduleSessionRequest request = Schedule(id, location, start);
    request.set_artist_id(artist);
    api::ScheduleSessionResponse response;
    Check(ScheduleSession(request, &response));
  }

  void At(absl::Time when) {
    ASSERT_GE(when, clock_.Now());
    clock_.Advance(when - clock_.Now());
  }

  void Complete(const std::string& id, int session, int minutes) {
    api::CompleteSessionRequest complete;
    *complete.mutable_context() = Ctx("a1");
    complete.set_client_id(id);
    complete.set_session_number(session);
    complete.mutable_record()->set_actual_duration_minutes(minutes);
    complete.mutable_record()->mutable_pigment()->set_brand("Ink");
    complete.mutable_record()->mutable_pigment()->set_lot("L1");
    complete.mutable_record()->set_density_level(3);
    api::CommandResult result;
    Check(CompleteSession(complete, &result));
  }

  void Cancel(const std::string& id, int session) {
    api::CancelSessionRequest cancel;
    *cancel.mutable_context() = Ctx();
    cancel.set_client_id(id);
    cancel.set_session_number(session);
    cancel.set_reason("unwell");
    api::CommandResult result;
    Check(CancelSession(cancel, &result));
  }

  void NoShow(const std::string& id, int session) {
    api::MarkNoShowRequest no_show;
    *no_show.mutable_context() = Ctx();
    no_show.set_client_id(id);
    no_show.set_session_number(session);
    api::CommandResult result;
    Check(MarkNoShow(no_show, &result));
  }

  api::Report Report(const std::string& location, api::Granularity granularity,
                     const std::string& period) {
    api::GetReportRequest request;
    request.set_location_id(location);
    request.set_granularity(granularity);
    request.set_period(period);
    request.set_min_position(store_->HeadPosition());
    api::Report report;
    grpc::Status status = GetReport(request, &report);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return report;
  }

  void PlayTheMonth() {
    // Monday 2 March, 09:00 UTC: everyone is consulted; nine agree a plan.
    for (int i = 1; i <= 6; ++i) Consult("L" + std::to_string(i), "london", i == 2);
    for (int i = 1; i <= 6; ++i) Consult("N" + std::to_string(i), "nyc", i == 2);
    Plan("L1", 3);
    Plan("L2", 4);
    Plan("L3", 3);
    Plan("L4", 3);
    Plan("L5", 3);
    Plan("N1", 3);
    Plan("N2", 4);
    Plan("N3", 3);
    Plan("N4", 4, "wants high density");
    Book("L1", "london", "a1", Utc(3, 3, 10));
    Book("L2", "london", "a2", Utc(3, 3, 16));
    Book("L3", "london", "a1", Utc(3, 4, 10));
    Book("L4", "london", "a2", Utc(3, 4, 16));
    Book("L5", "london", "a1", Utc(3, 6, 10));
    Book("N1", "nyc", "a3", Utc(3, 3, 14));
    Book("N2", "nyc", "a1", Utc(3, 3, 19));
    Book("N3", "nyc", "a3", Utc(3, 10, 14));  // 10:00 in New York (summer time from 8 March).
    Book("N4", "nyc", "a3", Utc(3, 11, 3));   // 23:00 on 10 March in New York.
    Cancel("L4", 1);                          // 55 h ahead: not late.
    At(Utc(3, 3, 12));
    Cancel("L3", 1);  // 22 h ahead: late.
    Book("L3", "london", "a1", Utc(3, 5, 10));
    At(Utc(3, 3, 15));
    Complete("L1", 1, 290);
    Book("L1", "london", "a1", Utc(3, 17, 10));
    At(Utc(3, 3, 19));
    Complete("N1", 1, 300);
    Book("N1", "nyc", "a3", Utc(3, 13, 14));
    At(Utc(3, 3, 21));
    Complete("L2", 1, 300);
    Book("L2", "london", "a2", Utc(3, 17, 16));
    At(Utc(3, 4, 0));
    Complete("N2", 1, 310);
    Book("N2", "nyc", "a1", Utc(3, 13, 19));
    At(Utc(3, 5, 15));
    Complete("L3", 1, 280);
    At(Utc(3, 6, 15));
    Complete("L5", 1, 295);
    api::RevisePlanRequest revise;
    *revise.mutable_context() = Ctx("a1");
    revise.set_client_id("L5");
    revise.set_planned_sessions(4);
    revise.set_reason(ev::PLAN_REVISION_REASON_PIGMENT_TOO_LIGHT);
    api::CommandResult revised;
    Check(RevisePlan(revise, &revised));
    At(Utc(3, 10, 19));
    Complete("N3", 1, 260);
    At(Utc(3, 11, 8));
    Complete("N4", 1, 305);
    At(Utc(3, 13, 19));
    Complete("N1", 2, 230);
    Book("N1", "nyc", "a3", Utc(3, 23, 14));
    At(Utc(3, 13, 20));
    NoShow("N2", 2);
    At(Utc(3, 17, 15));
    Complete("L1", 2, 240);
    Book("L1", "london", "a1", Utc(3, 31, 10));
    At(Utc(3, 17, 17));
    NoShow("L2", 2);
    Book("L2", "london", "a2", Utc(3, 24, 16));
    At(Utc(3, 23, 19));
    Complete("N1", 3, 180);  // Course complete.
    At(Utc(3, 24, 21));
    Complete("L2", 2, 250);
    At(Utc(3, 31, 15));
    Complete("L1", 3, 170);  // Course complete.
  }
};

TEST(PeriodKeyTest, DaysWeeksAndMonthsInTheLocationsZone) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  absl::TimeZone new_york;
  ASSERT_TRUE(absl::LoadTimeZone("America/New_York", &new_york));
  using projections::Period;
  using projections::PeriodKey;
  EXPECT_EQ(PeriodKey(Period::kDay, Utc(3, 11, 3), utc), "2026-03-11");
  EXPECT_EQ(PeriodKey(Period::kDay, Utc(3, 11, 3), new_york), "2026-03-10");
  EXPECT_EQ(PeriodKey(Period::kMonth, Utc(3, 1, 3), new_york), "2026-02");
  EXPECT_EQ(PeriodKey(Period::kWeek, Utc(3, 2, 9), utc), "2026-W10");
  auto day = [](int y, int m, int d) {
    return absl::FromCivil(absl::CivilDay(y, m, d), absl::UTCTimeZone());
  };
  EXPECT_EQ(PeriodKey(Period::kWeek, day(2026, 1, 1), utc), "2026-W01");    // A Thursday.
  EXPECT_EQ(PeriodKey(Period::kWeek, day(2027, 1, 1), utc), "2026-W53");    // A Friday.
  EXPECT_EQ(PeriodKey(Period::kWeek, day(2024, 12, 30), utc), "2025-W01");  // A Monday.
  EXPECT_EQ(PeriodKey(Period::kDay, day(999, 3, 2), utc), "0999-03-02");
  EXPECT_EQ(PeriodKey(Period::kMonth, day(10000, 3, 2), utc), "10000-03");
  // 8000 years are 20 cycles of 400, which repeat weekdays: like 2000-01-10, a Monday of week 2.
  EXPECT_EQ(PeriodKey(Period::kWeek, day(10000, 1, 10), utc), "10000-W02");
  EXPECT_EQ(PeriodKey(Period::kDay, day(-1, 3, 2), utc), "-001-03-02");  // As %04d writes -1.
}

// Against absl::FormatTime's day and month, and strftime's ISO week (%G-W%V, which absl passes
// on), for every day of fifty years.
TEST(PeriodKeyTest, AgreesWithStrftimeOnEveryDay) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  using projections::Period;
  using projections::PeriodKey;
  int days = 0;
  for (absl::CivilDay day(1990, 1, 1); day < absl::CivilDay(2040, 1, 1); ++day, ++days) {
    const absl::Time noon = absl::FromCivil(absl::CivilHour(day) + 12, utc);
    ASSERT_EQ(PeriodKey(Period::kDay, noon, utc), absl::FormatTime("%Y-%m-%d", noon, utc));
    ASSERT_EQ(PeriodKey(Period::kMonth, noon, utc), absl::FormatTime("%Y-%m", noon, utc));
    ASSERT_EQ(PeriodKey(Period::kWeek, noon, utc), absl::FormatTime("%G-W%V", noon, utc));
  }
  EXPECT_EQ(days, 18262);
}

TEST_F(ReportScenarioTest, MonthlyFiguresPerLocationAndForTheChain) {
  PlayTheMonth();
  const int scar = ev::EXTRA_SESSION_REASON_SCAR_TISSUE;

  api::Report london = Report("london", api::GRANULARITY_MONTH, "2026-03");
  EXPECT_EQ(london.counters().consultations(), 6);
  EXPECT_EQ(london.counters().plans_agreed(), 5);
  EXPECT_THAT(london.consultation_to_plan_rate(), DoubleEq(5.0 / 6));
  EXPECT_THAT(london.counters().sessions_completed_by_number(),
              UnorderedElementsAre(Pair(1, 4), Pair(2, 2), Pair(3, 1)));
  EXPECT_THAT(london.average_minutes_by_session_number(),
              UnorderedElementsAre(Pair(1, DoubleEq(1165.0 / 4)), Pair(2, DoubleEq(245)),
                                   Pair(3, DoubleEq(170))));
  EXPECT_EQ(london.counters().sessions_due(), 8);
  EXPECT_THAT(london.no_show_rate(), DoubleEq(1.0 / 8));
  EXPECT_EQ(london.counters().cancellations(), 2);
  EXPECT_THAT(london.late_cancel_rate(), DoubleEq(1.0 / 10));
  EXPECT_EQ(london.counters().courses_completed(), 1);
  EXPECT_THAT(london.average_sessions_per_course(), DoubleEq(3));
  EXPECT_THAT(london.share_needing_four_or_more(), DoubleEq(0));
  EXPECT_THAT(london.counters().extra_session_reasons(), UnorderedElementsAre(Pair(scar, 1)));
  EXPECT_THAT(london.counters().days_between_sessions(),
              UnorderedElementsAre(Pair(14, 2), Pair(21, 1)));
  EXPECT_THAT(london.median_days_between_sessions(), DoubleEq(14));
  EXPECT_THAT(london.artist_hours_booked(), UnorderedElementsAre(Pair("a1", DoubleEq(1335 / 60.0)),
                                                                 Pair("a2", DoubleEq(810 / 60.0))));
  EXPECT_THAT(
      london.artist_hours_completed(),
      UnorderedElementsAre(Pair("a1", DoubleEq(1275 / 60.0)), Pair("a2", DoubleEq(550 / 60.0))));
  EXPECT_EQ(london.touch_ups_due_next_90_days(), 0);

  api::Report nyc = Report("nyc", api::GRANULARITY_MONTH, "2026-03");
  EXPECT_EQ(nyc.counters().consultations(), 6);
  EXPECT_EQ(nyc.counters().plans_agreed(), 4);
  EXPECT_THAT(nyc.consultation_to_plan_rate(), DoubleEq(4.0 / 6));
  EXPECT_THAT(nyc.counters().sessions_completed_by_number(),
              UnorderedElementsAre(Pair(1, 4), Pair(2, 1), Pair(3, 1)));
  EXPECT_THAT(nyc.average_minutes_by_session_number(),
              UnorderedElementsAre(Pair(1, DoubleEq(1175.0 / 4)), Pair(2, DoubleEq(230)),
                                   Pair(3, DoubleEq(180))));
  EXPECT_THAT(nyc.no_show_rate(), DoubleEq(1.0 / 7));
  EXPECT_THAT(nyc.late_cancel_rate(), DoubleEq(0));
  EXPECT_EQ(nyc.counters().courses_completed(), 1);
  EXPECT_THAT(nyc.counters().days_between_sessions(), UnorderedElementsAre(Pair(10, 2)));
  EXPECT_THAT(nyc.median_days_between_sessions(), DoubleEq(10));
  EXPECT_THAT(nyc.artist_hours_booked(), UnorderedElementsAre(Pair("a1", DoubleEq(555 / 60.0)),
                                                              Pair("a3", DoubleEq(1335 / 60.0))));
  EXPECT_THAT(
      nyc.artist_hours_completed(),
      UnorderedElementsAre(Pair("a1", DoubleEq(310 / 60.0)), Pair("a3", DoubleEq(1275 / 60.0))));

  api::Report chain = Report("", api::GRANULARITY_MONTH, "2026-03");
  EXPECT_EQ(chain.counters().consultations(), 12);
  EXPECT_THAT(chain.consultation_to_plan_rate(), DoubleEq(0.75));
  EXPECT_THAT(chain.average_minutes_by_session_number(),
              UnorderedElementsAre(Pair(1, DoubleEq(292.5)), Pair(2, DoubleEq(240)),
                                   Pair(3, DoubleEq(175))));
  EXPECT_THAT(chain.no_show_rate(), DoubleEq(2.0 / 15));
  EXPECT_THAT(chain.late_cancel_rate(), DoubleEq(1.0 / 17));
  EXPECT_EQ(chain.counters().courses_completed(), 2);
  EXPECT_THAT(chain.average_sessions_per_course(), DoubleEq(3));
  EXPECT_THAT(chain.share_needing_four_or_more(), DoubleEq(0));
  EXPECT_THAT(chain.median_days_between_sessions(), DoubleEq(14));  // 10, 10, 14, 14, 21.
  EXPECT_THAT(chain.counters().extra_session_reasons(), UnorderedElementsAre(Pair(scar, 2)));
  EXPECT_THAT(chain.artist_hours_booked(), UnorderedElementsAre(Pair("a1", DoubleEq(1890 / 60.0)),
                                                                Pair("a2", DoubleEq(810 / 60.0)),
                                                                Pair("a3", DoubleEq(1335 / 60.0))));
  EXPECT_THAT(
      chain.artist_hours_completed(),
      UnorderedElementsAre(Pair("a1", DoubleEq(1585 / 60.0)), Pair("a2", DoubleEq(550 / 60.0)),
                           Pair("a3", DoubleEq(1275 / 60.0))));
}

TEST_F(ReportScenarioTest, APeriodsStoredCountersDoNotGrowWithTheNumberOfArtists) {
  // Rewritten with every batch, the counters entry must not carry a map of every artist: each
  // artist's minutes are an entry of their own, added up by the query.
  PlayTheMonth();
  ASSERT_THAT(Report("london", api::GRANULARITY_MONTH, "2026-03").artist_hours_booked(),
              ::testing::SizeIs(::testing::Gt(1)));
  std::shared_ptr<projections::Generation> reports = models_->runner("reports")->serving();
  std::string stored;
  ASSERT_TRUE(reports->db()
                  ->Get(rocksdb::ReadOptions(), reports->handle(),
                        projections::ReportKey("london", projections::Period::kMonth, "2026-03"),
                        &stored)
                  .ok());
  projections::v1::ReportCounters counters;
  ASSERT_TRUE(counters.ParseFromString(stored));
  EXPECT_EQ(counters.consultations(), 6);
  EXPECT_THAT(counters.artist_minutes_booked(), ::testing::IsEmpty());
  EXPECT_THAT(counters.artist_minutes_completed(), ::testing::IsEmpty());
}

TEST_F(ReportScenarioTest, DaysAndWeeksFollowEachLocationsZone) {
  PlayTheMonth();
  // N3 at 10:00 and N4 at 23:00 on 10 March, New York time; 11 March for N4 in UTC.
  api::Report nyc_day = Report("nyc", api::GRANULARITY_DAY, "2026-03-10");
  EXPECT_THAT(nyc_day.counters().sessions_completed_by_number(), UnorderedElementsAre(Pair(1, 2)));
  EXPECT_THAT(nyc_day.artist_hours_completed(),
              UnorderedElementsAre(Pair("a3", DoubleEq(565 / 60.0))));
  EXPECT_EQ(Report("nyc", api::GRANULARITY_DAY, "2026-03-11").counters().sessions_due(), 0);

  api::Report london_day = Report("london", api::GRANULARITY_DAY, "2026-03-03");
  EXPECT_THAT(london_day.counters().sessions_completed_by_number(),
              UnorderedElementsAre(Pair(1, 2)));

  api::Report week = Report("london", api::GRANULARITY_WEEK, "2026-W10");
  EXPECT_EQ(week.counters().consultations(), 6);
  EXPECT_EQ(week.counters().plans_agreed(), 5);
  EXPECT_THAT(week.counters().sessions_completed_by_number(), UnorderedElementsAre(Pair(1, 4)));
  EXPECT_EQ(week.counters().cancellations(), 2);
  EXPECT_EQ(week.counters().late_cancellations(), 1);

  api::GetReportRequest bad;
  bad.set_granularity(api::GRANULARITY_WEEK);
  bad.set_period("2026-03");
  api::Report ignored;
  EXPECT_EQ(GetReport(bad, &ignored).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ReportScenarioTest, TouchUpsDueInTheNextNinetyDays) {
  PlayTheMonth();
  // Both completed courses (L1 on 31 March, N1 on 23 March) are due three years on.
  At(Utc(3, 31, 15) + absl::Hours(24 * (1095 - 60)));
  EXPECT_EQ(Report("", api::GRANULARITY_MONTH, "2026-03").touch_ups_due_next_90_days(), 2);
  EXPECT_EQ(Report("london", api::GRANULARITY_MONTH, "2026-03").touch_ups_due_next_90_days(), 1);
}

TEST_F(ReportScenarioTest, WatchPushesTheReportWhenItChanges) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  api::WatchReportRequest request;
  request.set_location_id("london");
  request.set_granularity(api::GRANULARITY_MONTH);
  request.set_period("2026-03");
  auto stream = queries_->WatchReport(&context, request);
  api::Report report;
  ASSERT_TRUE(stream->Read(&report));
  EXPECT_EQ(report.counters().consultations(), 0);
  Consult("L1", "london", false);
  do {
    ASSERT_TRUE(stream->Read(&report));
  } while (report.counters().consultations() == 0);
  EXPECT_EQ(report.counters().consultations(), 1);
  context.TryCancel();
}

}  // namespace
}  // namespace stipple::services
