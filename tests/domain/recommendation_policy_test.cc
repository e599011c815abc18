// The recommended number of sessions and the location policy they depend on.

#include "services/domain/location.h"
#include "services/domain/recommendation.h"
#include "tests/domain/domain_fixture.h"

namespace stipple::domain {
namespace {

using ::testing::ElementsAre;
using namespace testing;  // NOLINT

ev::Assessment MalePattern(int norwood) {
  ev::Assessment a;
  a.set_hair_loss_type(ev::HAIR_LOSS_TYPE_MALE_PATTERN);
  a.set_norwood(norwood);
  a.add_areas(ev::TREATMENT_AREA_HAIRLINE);
  a.set_scar_tissue(ev::SCAR_TISSUE_NONE);
  a.set_skin_type(ev::SKIN_TYPE_NORMAL);
  a.set_density_goal(ev::DENSITY_GOAL_MEDIUM);
  return a;
}

TEST(RecommendationTest, FutStripScarAtNorwoodFiveIsFourSessions) {
  ev::Assessment a = MalePattern(5);
  a.set_scar_tissue(ev::SCAR_TISSUE_FUT_STRIP);
  Recommendation r = Recommend(a, DefaultPolicy());
  EXPECT_EQ(r.sessions, 4);
  EXPECT_THAT(r.reasons, ElementsAre(ev::EXTRA_SESSION_REASON_SCAR_TISSUE));
}

TEST(RecommendationTest, NoFactorGivesTheLocationBase) {
  EXPECT_EQ(Recommend(MalePattern(3), DefaultPolicy()).sessions, 3);
  ev::LocationPolicy policy = DefaultPolicy();
  policy.set_base_sessions(2);
  EXPECT_EQ(Recommend(MalePattern(3), policy).sessions, 2);
}

TEST(RecommendationTest, EachFactorAddsOneUpToTheMaximum) {
  ev::Assessment a = MalePattern(6);  // Large area.
  a.set_hair_loss_type(ev::HAIR_LOSS_TYPE_ALOPECIA_AREATA);
  a.set_norwood(0);
  a.add_areas(ev::TREATMENT_AREA_FULL_SCALP);  // Large area without a Norwood grade.
  a.set_scar_tissue(ev::SCAR_TISSUE_FUE_DOTS);
  a.set_faded_earlier_smp(true);
  a.set_density_goal(ev::DENSITY_GOAL_HIGH);
  a.set_skin_type(ev::SKIN_TYPE_OILY);
  Recommendation r = Recommend(a, DefaultPolicy());
  EXPECT_THAT(
      r.reasons,
      ElementsAre(ev::EXTRA_SESSION_REASON_SCAR_TISSUE, ev::EXTRA_SESSION_REASON_ALOPECIA,
                  ev::EXTRA_SESSION_REASON_LARGE_AREA, ev::EXTRA_SESSION_REASON_FADED_EARLIER_WORK,
                  ev::EXTRA_SESSION_REASON_HIGH_DENSITY_GOAL,
                  ev::EXTRA_SESSION_REASON_DIFFICULT_SKIN));
  EXPECT_EQ(r.sessions, 6);  // 3 + 6 capped at the default maximum.
  ev::LocationPolicy generous = DefaultPolicy();
  generous.set_max_sessions(10);
  EXPECT_EQ(Recommend(a, generous).sessions, 9);
}

TEST(PolicyTest, DurationTemplateBySessionNumber) {
  ev::LocationPolicy policy = DefaultPolicy();
  EXPECT_EQ(ExpectedDurationMinutes(policy, 1), 300);
  EXPECT_EQ(ExpectedDurationMinutes(policy, 2), 255);  // 45 min shorter.
  EXPECT_EQ(ExpectedDurationMinutes(policy, 3), 180);
  EXPECT_EQ(ExpectedDurationMinutes(policy, 6), 180);
}

TEST(PolicyTest, UnsetValuesTakeDefaultsAndBadValuesAreNamed) {
  ev::LocationPolicy partial;
  partial.set_min_gap_days(14);
  ev::LocationPolicy filled = WithDefaults(partial);
  EXPECT_EQ(filled.min_gap_days(), 14);
  EXPECT_EQ(filled.base_sessions(), 3);
  EXPECT_EQ(filled.notice_period_hours(), 48);
  EXPECT_EQ(filled.touch_up_interval_days(), 1095);
  EXPECT_TRUE(ValidatePolicy(filled, "policy").ok());

  ev::LocationPolicy bad = filled;
  bad.set_max_sessions(2);  // Below the base.
  EXPECT_EQ(FieldOf(ValidatePolicy(bad, "policy")), "policy.max_sessions");
  bad = filled;
  bad.add_session_duration_minutes(601);
  EXPECT_EQ(FieldOf(ValidatePolicy(bad, "policy")), "policy.session_duration_minutes");
}

TEST(LocationTest, OpensOnceWithAValidZoneAndPolicy) {
  LocationState none;
  auto opened = Decide(none, OpenLocation{"london", "London Bridge", "Europe/London", {}, false});
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->opened().policy().base_sessions(), 3);
  EXPECT_TRUE(opened->opened().policy().patch_test_required());

  EXPECT_INVALID(Decide(none, OpenLocation{"x", "X", "Mars/Olympus", {}, false}), "time_zone");
  LocationState existing;
  Evolve(existing, *opened, "e0");
  EXPECT_EQ(
      Decide(existing, OpenLocation{"london", "Again", "Europe/London", {}, false}).status().code(),
      absl::StatusCode::kAlreadyExists);
}

TEST(LocationTest, PolicyChangesAreRecordedAndFolded) {
  LocationState state;
  Evolve(state, *Decide(state, OpenLocation{"leeds", "Leeds", "Europe/London", {}, false}), "e0");
  ev::LocationPolicy stricter;
  stricter.set_min_gap_days(21);
  stricter.set_patch_test_required(false);
  auto changed = Decide(state, ChangeLocationPolicy{stricter, "new clinical lead"});
  ASSERT_TRUE(changed.ok()) << changed.status();
  Evolve(state, *changed, "e1");
  EXPECT_EQ(state.policy.min_gap_days(), 21);
  EXPECT_FALSE(state.policy.patch_test_required());
  EXPECT_INVALID(Decide(state, ChangeLocationPolicy{stricter, ""}), "reason");
}

TEST(ArtistTest, BookingsNeverOverlapButMayTouch) {
  ArtistState artist = Artist();
  auto first = DecideBooking(artist, "b1", "c1", "london", kMonday, 300);
  ASSERT_TRUE(first.ok());
  Evolve(artist, *first, "e0");
  EXPECT_RULE(DecideBooking(artist, "b2", "c2", "leeds", kMonday + absl::Hours(4), 60),
              "ARTIST_DOUBLE_BOOKED");
  EXPECT_RULE(DecideBooking(artist, "b2", "c2", "leeds", kMonday - absl::Hours(1), 61),
              "ARTIST_DOUBLE_BOOKED");
  EXPECT_TRUE(DecideBooking(artist, "b2", "c2", "leeds", kMonday + absl::Hours(5), 60).ok());
  EXPECT_RULE(DecideBooking(artist, "b3", "c3", "paris", kMonday + absl::Hours(24), 60),
              "ARTIST_NOT_AT_LOCATION");

  ev::ArtistEvent released;
  released.mutable_booking_released()->set_booking_id("b1");
  Evolve(artist, released, "e1");
  EXPECT_TRUE(DecideBooking(artist, "b4", "c2", "leeds", kMonday + absl::Hours(1), 60).ok());
}

TEST(ArtistTest, RegistersOnceAtOneOrMoreLocations) {
  ArtistState none;
  EXPECT_INVALID(Decide(none, RegisterArtist{"a1", "Alex", {}}), "location_ids");
  auto registered = Decide(none, RegisterArtist{"a1", "Alex", {"london"}});
  ASSERT_TRUE(registered.ok());
  ArtistState artist;
  Evolve(artist, *registered, "e0");
  EXPECT_EQ(Decide(artist, RegisterArtist{"a1", "Alex", {"london"}}).status().code(),
            absl::StatusCode::kAlreadyExists);
}

}  // namespace
}  // namespace stipple::domain
