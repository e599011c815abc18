// Every rule of a client's course: given(events) / when(command) / then(events | error).

#include "services/domain/client.h"

#include "tests/domain/domain_fixture.h"

namespace stipple::domain {
namespace {

using namespace testing;  // NOLINT

ScheduleSession Booking(const ArtistState& artist, absl::Time start,
                        ev::LocationPolicy policy = DefaultPolicy()) {
  return ScheduleSession{"london", policy, &artist, start, kMonday - absl::Hours(1), "b-new"};
}

TEST(ClientRegistrationTest, RegistersOnceWithPersonalDataApart) {
  ClientState none;
  ev::PersonalDetails personal;
  personal.set_full_name("Sam Client");
  personal.set_date_of_birth("1985-07-14");
  auto events = Decide(none, RegisterClient{"c1", "london", personal});
  ASSERT_TRUE(events.ok()) << events.status();
  EXPECT_EQ(events->at(0).registered().personal().date_of_birth(), "1985-07-14");
  EXPECT_EQ(Decide(Given({Registered()}), RegisterClient{"c1", "london", personal}).status().code(),
            absl::StatusCode::kAlreadyExists);
  personal.set_date_of_birth("14/07/1985");
  EXPECT_INVALID(Decide(none, RegisterClient{"c1", "london", personal}), "personal.date_of_birth");
  EXPECT_INVALID(Decide(none, RegisterClient{"c1", "london", {}}), "personal.full_name");
}

TEST(ConsultationTest, RecommendsAndValidatesTheAssessment) {
  ev::Assessment a;
  a.set_hair_loss_type(ev::HAIR_LOSS_TYPE_MALE_PATTERN);
  a.set_norwood(5);
  a.add_areas(ev::TREATMENT_AREA_CROWN);
  a.set_scar_tissue(ev::SCAR_TISSUE_FUT_STRIP);
  a.set_skin_type(ev::SKIN_TYPE_NORMAL);
  a.set_density_goal(ev::DENSITY_GOAL_MEDIUM);
  RecordConsultation command{"london", "a1", a, DefaultPolicy(), kMonday};
  auto events = Decide(Given({Registered()}), command);
  ASSERT_TRUE(events.ok()) << events.status();
  EXPECT_EQ(events->at(0).consultation_recorded().recommended_sessions(), 4);
  EXPECT_EQ(FromProto(events->at(0).consultation_recorded().consulted_at()), kMonday);

  EXPECT_EQ(Decide(ClientState{}, command).status().code(), absl::StatusCode::kNotFound);
  command.assessment.set_norwood(8);
  EXPECT_INVALID(Decide(Given({Registered()}), command), "assessment.norwood");
  command.assessment.set_norwood(0);
  command.assessment.set_ludwig(4);
  EXPECT_INVALID(Decide(Given({Registered()}), command), "assessment.ludwig");
  command.assessment.set_ludwig(2);
  command.assessment.set_norwood(3);
  EXPECT_INVALID(Decide(Given({Registered()}), command), "assessment.ludwig");
  command.assessment.set_norwood(0);
  command.assessment.set_skin_type(static_cast<ev::SkinType>(42));
  EXPECT_INVALID(Decide(Given({Registered()}), command), "assessment.skin_type");
  command.assessment.set_skin_type(ev::SKIN_TYPE_DRY);
  EXPECT_RULE(Decide(Given(ReadyForTreatment()), command), "COURSE_IN_PROGRESS");
}

TEST(SafetyGateTest, PatchTestIsReadNoSoonerThan72Hours) {
  ClientState applied = Given({Registered(), PatchApplied(kMonday)});
  EXPECT_RULE(
      Decide(applied, ReadPatchTest{ev::PATCH_TEST_RESULT_PASSED, kMonday + absl::Hours(71)}),
      "PATCH_TEST_TOO_EARLY");
  auto read =
      Decide(applied, ReadPatchTest{ev::PATCH_TEST_RESULT_PASSED, kMonday + absl::Hours(72)});
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->at(0).patch_test_read().result(), ev::PATCH_TEST_RESULT_PASSED);
  EXPECT_RULE(Decide(Given({Registered()}), ReadPatchTest{ev::PATCH_TEST_RESULT_PASSED, kMonday}),
              "NO_PATCH_TEST_PENDING");
  EXPECT_INVALID(Decide(applied, ReadPatchTest{ev::PATCH_TEST_RESULT_UNSPECIFIED, kMonday}),
                 "result");
}

TEST(SafetyGateTest, NoSessionWithoutPlanConsentAndPatchTest) {
  ArtistState artist = Artist();
  const absl::Time start = kMonday + absl::Hours(48);
  auto without = [](std::vector<ev::ClientEvent> events, size_t index) {
    events.erase(events.begin() + index);
    return Given(events);
  };
  // ReadyForTreatment: Registered, Consulted, Consent, PatchApplied, PatchRead, Plan.
  EXPECT_RULE(Decide(without(ReadyForTreatment(), 5), Booking(artist, start)), "PLAN_REQUIRED");
  EXPECT_RULE(Decide(without(ReadyForTreatment(), 2), Booking(artist, start)), "CONSENT_REQUIRED");
  EXPECT_RULE(Decide(without(ReadyForTreatment(), 4), Booking(artist, start)),
              "PATCH_TEST_REQUIRED");

  // A photo consent is not treatment consent.
  std::vector<ev::ClientEvent> photos_only = ReadyForTreatment();
  photos_only[2] = Consent(ev::CONSENT_KIND_PHOTOS);
  EXPECT_RULE(Decide(Given(photos_only), Booking(artist, start)), "CONSENT_REQUIRED");

  // A waived patch test, or a location that does not require one, lets the session go ahead.
  std::vector<ev::ClientEvent> waived = {Registered(), Consulted(4), Consent(), Plan(4)};
  ev::ClientEvent waiver;
  waiver.mutable_patch_test_waived()->set_reason("client declined");
  EXPECT_RULE(Decide(Given(waived), Booking(artist, start)), "PATCH_TEST_REQUIRED");
  waived.push_back(waiver);
  EXPECT_TRUE(Decide(Given(waived), Booking(artist, start)).ok());
  ev::LocationPolicy relaxed = DefaultPolicy();
  relaxed.set_patch_test_required(false);
  EXPECT_TRUE(Decide(without(ReadyForTreatment(), 4), Booking(artist, start, relaxed)).ok());

  // A failed patch test blocks even where the policy does not ask for one.
  std::vector<ev::ClientEvent> failed = ReadyForTreatment();
  failed[4] = PatchRead(ev::PATCH_TEST_RESULT_FAILED);
  EXPECT_RULE(Decide(Given(failed), Booking(artist, start, relaxed)), "PATCH_TEST_FAILED");
}

TEST(SafetyGateTest, AFailedPatchTestBlocksUntilALaterOnePasses) {
  ArtistState artist = Artist();
  const absl::Time start = kMonday + absl::Hours(48);
  ev::ClientEvent waiver;
  waiver.mutable_patch_test_waived()->set_reason("client declined");
  // Waived first, then tested after all, and failed: the failure wins.
  std::vector<ev::ClientEvent> events = {Registered(),
                                         Consulted(4),
                                         Consent(),
                                         Plan(4),
                                         waiver,
                                         PatchApplied(kMonday - absl::Hours(100)),
                                         PatchRead(ev::PATCH_TEST_RESULT_FAILED)};
  EXPECT_RULE(Decide(Given(events), Booking(artist, start)), "PATCH_TEST_FAILED");
  // Applying a new test does not erase the failure, and it cannot be waived away.
  events.push_back(PatchApplied(kMonday - absl::Hours(80)));
  EXPECT_RULE(Decide(Given(events), WaivePatchTest{"try again"}), "PATCH_TEST_FAILED");
  EXPECT_RULE(Decide(Given(events), Booking(artist, start)), "PATCH_TEST_FAILED");
  // A later pass clears it.
  events.push_back(PatchRead(ev::PATCH_TEST_RESULT_PASSED));
  EXPECT_TRUE(Decide(Given(events), Booking(artist, start)).ok());
}

TEST(SafetyGateTest, ContraindicationsBlockUntilResolved) {
  ArtistState artist = Artist();
  const absl::Time start = kMonday + absl::Hours(48);
  auto with = [](ev::ContraindicationKind kind, std::optional<absl::Time> until) {
    std::vector<ev::ClientEvent> events = ReadyForTreatment();
    ev::ClientEvent c;
    c.mutable_contraindication_recorded()->set_contraindication_id("ci-1");
    c.mutable_contraindication_recorded()->set_kind(kind);
    if (until) *c.mutable_contraindication_recorded()->mutable_until() = ToProto(*until);
    events.push_back(c);
    return events;
  };
  EXPECT_RULE(
      Decide(Given(with(ev::CONTRAINDICATION_KIND_ABSOLUTE, std::nullopt)), Booking(artist, start)),
      "CONTRAINDICATION_IN_FORCE");
  EXPECT_RULE(Decide(Given(with(ev::CONTRAINDICATION_KIND_TEMPORARY, start + absl::Hours(1))),
                     Booking(artist, start)),
              "CONTRAINDICATION_IN_FORCE");
  EXPECT_TRUE(Decide(Given(with(ev::CONTRAINDICATION_KIND_TEMPORARY, start - absl::Hours(1))),
                     Booking(artist, start))
                  .ok());

  std::vector<ev::ClientEvent> needs_doctor =
      with(ev::CONTRAINDICATION_KIND_NEEDS_CLEARANCE, std::nullopt);
  EXPECT_RULE(Decide(Given(needs_doctor), Booking(artist, start)), "CONTRAINDICATION_IN_FORCE");
  auto cleared = Decide(Given(needs_doctor), ClearContraindication{"ci-1", "Dr Okafor", "fine"});
  ASSERT_TRUE(cleared.ok()) << cleared.status();
  needs_doctor.push_back(cleared->at(0));
  EXPECT_TRUE(Decide(Given(needs_doctor), Booking(artist, start)).ok());
  EXPECT_RULE(Decide(Given(with(ev::CONTRAINDICATION_KIND_ABSOLUTE, std::nullopt)),
                     ClearContraindication{"ci-1", "Dr Okafor", ""}),
              "NOT_CLEARABLE");

  RecordContraindication temporary{"ci-2", ev::CONTRAINDICATION_KIND_TEMPORARY, "sunburn",
                                   std::nullopt, kMonday};
  EXPECT_INVALID(Decide(Given({Registered()}), temporary), "until");
}

TEST(SchedulingTest, SessionsFollowTheTemplateAndBookTheArtist) {
  ArtistState artist = Artist();
  auto first = Decide(Given(ReadyForTreatment()), Booking(artist, kMonday + absl::Hours(48)));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->session_number, 1);
  EXPECT_EQ(first->expected_duration_minutes, 300);
  EXPECT_EQ(first->artist.booked().duration_minutes(), 300);
  EXPECT_EQ(first->artist.booked().client_id(), "c1");

  std::vector<ev::ClientEvent> after_first = ReadyForTreatment();
  after_first.push_back(Scheduled(1, kMonday - absl::Hours(24 * 20)));
  after_first.push_back(Completed(1));
  auto second = Decide(Given(after_first), Booking(artist, kMonday + absl::Hours(48)));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->session_number, 2);
  EXPECT_EQ(second->expected_duration_minutes, 255);
}

TEST(SchedulingTest, OneOpenSessionAndAMinimumGap) {
  ArtistState artist = Artist();
  std::vector<ev::ClientEvent> events = ReadyForTreatment();
  events.push_back(Scheduled(1, kMonday + absl::Hours(24)));
  EXPECT_RULE(Decide(Given(events), Booking(artist, kMonday + absl::Hours(24 * 30))),
              "SESSION_ALREADY_OPEN");
  events.push_back(Completed(1));
  // Ten days after the last session's start, not a minute sooner.
  const absl::Time earliest = kMonday + absl::Hours(24) + absl::Hours(24 * 10);
  ScheduleSession too_soon = Booking(artist, earliest - absl::Minutes(1));
  too_soon.now = kMonday + absl::Hours(26);
  EXPECT_RULE(Decide(Given(events), too_soon), "SESSION_TOO_SOON");
  ScheduleSession on_time = Booking(artist, earliest);
  on_time.now = kMonday + absl::Hours(26);
  EXPECT_TRUE(Decide(Given(events), on_time).ok());
}

TEST(SchedulingTest, BadTimesAndStandingAreRefused) {
  ArtistState artist = Artist();
  EXPECT_INVALID(Decide(Given(ReadyForTreatment()), Booking(artist, kMonday - absl::Hours(2))),
                 "start_time");
  std::vector<ev::ClientEvent> held = ReadyForTreatment();
  ev::ClientEvent hold;
  hold.mutable_put_on_hold()->set_reason("travelling");
  held.push_back(hold);
  EXPECT_RULE(Decide(Given(held), Booking(artist, kMonday + absl::Hours(48))), "CLIENT_ON_HOLD");

  ArtistState busy = Artist();
  auto booking = DecideBooking(busy, "other", "c9", "leeds", kMonday + absl::Hours(47), 120);
  Evolve(busy, *booking, "x");
  EXPECT_RULE(Decide(Given(ReadyForTreatment()), Booking(busy, kMonday + absl::Hours(48))),
              "ARTIST_DOUBLE_BOOKED");
}

TEST(SchedulingTest, AnArtistWithoutTheirEndedBookingsDecidesLaterBookingsAlike) {
  ArtistState artist = Artist();
  // Two hours on the Monday (ended by Tuesday) and two on the Friday.
  for (const auto& [id, start] : {std::pair{"monday", kMonday + absl::Hours(10)},
                                  std::pair{"friday", kMonday + absl::Hours(4 * 24 + 10)}}) {
    auto booking = DecideBooking(artist, id, "c9", "leeds", start, 120);
    ASSERT_TRUE(booking.ok());
    Evolve(artist, *booking, id);
  }
  ArtistState trimmed = artist;
  ForgetBookingsEndedBefore(trimmed, kMonday + absl::Hours(24));
  EXPECT_FALSE(trimmed.active_bookings.contains("monday"));
  EXPECT_TRUE(trimmed.active_bookings.contains("friday"));

  // From the cutoff on, both refuse the Friday clash and take the hour after it.
  for (const ArtistState* state : {&artist, &trimmed}) {
    EXPECT_RULE(DecideBooking(*state, "b", "c1", "leeds", kMonday + absl::Hours(4 * 24 + 11), 60),
                "ARTIST_DOUBLE_BOOKED");
    EXPECT_TRUE(
        DecideBooking(*state, "b", "c1", "leeds", kMonday + absl::Hours(4 * 24 + 12), 60).ok());
  }
  // A booking before the cutoff, clashing with the forgotten Monday: refused either way, and the
  // trimmed state does not decide it without Monday.
  EXPECT_RULE(DecideBooking(artist, "b", "c1", "leeds", kMonday + absl::Hours(11), 60),
              "ARTIST_DOUBLE_BOOKED");
  EXPECT_INVALID(DecideBooking(trimmed, "b", "c1", "leeds", kMonday + absl::Hours(11), 60),
                 "start_time");
  // A booking that ends at the cutoff is kept: only those ended before it go.
  ForgetBookingsEndedBefore(trimmed, kMonday + absl::Hours(4 * 24 + 12));
  EXPECT_TRUE(trimmed.active_bookings.contains("friday"));
  ForgetBookingsEndedBefore(trimmed, kMonday + absl::Hours(4 * 24 + 13));
  EXPECT_TRUE(trimmed.active_bookings.empty());
}

TEST(CompletionTest, SessionsCompleteInOrderAndTheLastCompletesTheCourse) {
  std::vector<ev::ClientEvent> events = ReadyForTreatment(2);
  const absl::Time start = kMonday;
  events.push_back(Scheduled(1, start));
  CompleteSession complete{1, GoodRecord(), DefaultPolicy(), start + absl::Hours(5)};
  EXPECT_RULE(Decide(Given(events),
                     CompleteSession{2, GoodRecord(), DefaultPolicy(), start + absl::Hours(5)}),
              "WRONG_SESSION");
  EXPECT_RULE(Decide(Given(events),
                     CompleteSession{1, GoodRecord(), DefaultPolicy(), start - absl::Hours(1)}),
              "SESSION_NOT_STARTED");
  EXPECT_INVALID(Decide(Given(events),
                        CompleteSession{1, GoodRecord(0), DefaultPolicy(), start + absl::Hours(5)}),
                 "record.actual_duration_minutes");
  EXPECT_INVALID(Decide(Given(events), CompleteSession{1, GoodRecord(601), DefaultPolicy(),
                                                       start + absl::Hours(5)}),
                 "record.actual_duration_minutes");
  auto first = Decide(Given(events), complete);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->size(), 1u);
  events.push_back(first->at(0));

  const absl::Time second_start = start + absl::Hours(24 * 14);
  events.push_back(Scheduled(2, second_start));
  auto last = Decide(Given(events), CompleteSession{2, GoodRecord(200), DefaultPolicy(),
                                                    second_start + absl::Hours(4)});
  ASSERT_TRUE(last.ok()) << last.status();
  ASSERT_EQ(last->size(), 2u);
  const ev::CourseCompleted& done = last->at(1).course_completed();
  EXPECT_EQ(done.sessions_completed(), 2);
  EXPECT_EQ(FromProto(done.touch_up_due_at()), second_start + absl::Hours(24 * 1095));
  events.insert(events.end(), last->begin(), last->end());
  ClientState complete_state = Given(events);
  EXPECT_TRUE(complete_state.course_complete);
  EXPECT_FALSE(complete_state.plan_active);
}

TEST(CancellationTest, LateWhenInsideTheNoticePeriodAndTheArtistIsFreed) {
  std::vector<ev::ClientEvent> events = ReadyForTreatment();
  events.push_back(Scheduled(1, kMonday + absl::Hours(72)));
  auto early = Decide(Given(events), CancelSession{1, "flu", DefaultPolicy(), kMonday});
  ASSERT_TRUE(early.ok()) << early.status();
  EXPECT_FALSE(early->client[0].session_cancelled().late());
  EXPECT_EQ(early->artist.booking_released().booking_id(), "b1");
  EXPECT_EQ(early->artist_id, "a1");
  auto late =
      Decide(Given(events), CancelSession{1, "flu", DefaultPolicy(), kMonday + absl::Hours(25)});
  ASSERT_TRUE(late.ok());
  EXPECT_TRUE(late->client[0].session_cancelled().late());
  EXPECT_RULE(Decide(Given(ReadyForTreatment()), CancelSession{1, "", DefaultPolicy(), kMonday}),
              "NO_OPEN_SESSION");
}

TEST(CancellationTest, NoShowOnlyAfterTheStart) {
  std::vector<ev::ClientEvent> events = ReadyForTreatment();
  events.push_back(Scheduled(1, kMonday));
  EXPECT_RULE(Decide(Given(events), MarkNoShow{1, kMonday - absl::Minutes(5)}),
              "SESSION_NOT_STARTED");
  auto no_show = Decide(Given(events), MarkNoShow{1, kMonday + absl::Minutes(30)});
  ASSERT_TRUE(no_show.ok());
  events.push_back(no_show->at(0));
  EXPECT_FALSE(Given(events).open_session.has_value());
}

TEST(PlanTest, AgreedAfterConsultationWithAReasonToDeviate) {
  EXPECT_RULE(Decide(Given({Registered()}), AgreePlan{0, "", kMonday}), "CONSULTATION_REQUIRED");
  ClientState consulted = Given({Registered(), Consulted(4)});
  auto recommended = Decide(consulted, AgreePlan{0, "", kMonday});
  ASSERT_TRUE(recommended.ok());
  EXPECT_EQ(recommended->at(0).plan_agreed().planned_sessions(), 4);
  EXPECT_EQ(FromProto(recommended->at(0).plan_agreed().agreed_at()), kMonday);
  EXPECT_INVALID(Decide(consulted, AgreePlan{5, "", kMonday}), "deviation_reason");
  EXPECT_TRUE(Decide(consulted, AgreePlan{5, "very high density goal", kMonday}).ok());
  EXPECT_INVALID(Decide(consulted, AgreePlan{13, "x", kMonday}), "planned_sessions");
  EXPECT_RULE(Decide(Given(ReadyForTreatment()), AgreePlan{0, "", kMonday}), "PLAN_ALREADY_AGREED");
}

TEST(PlanTest, RevisionsKeepAboveProgressAndMayEndTheCourse) {
  std::vector<ev::ClientEvent> events = ReadyForTreatment(4);
  events.push_back(Scheduled(1, kMonday));
  events.push_back(Completed(1));
  events.push_back(Scheduled(2, kMonday + absl::Hours(24 * 14)));
  events.push_back(Completed(2));
  ClientState state = Given(events);
  auto more = Decide(state, RevisePlan{5, ev::PLAN_REVISION_REASON_PIGMENT_TOO_LIGHT, "", {}});
  ASSERT_TRUE(more.ok());
  EXPECT_EQ(more->size(), 1u);
  EXPECT_RULE(Decide(state, RevisePlan{1, ev::PLAN_REVISION_REASON_CLIENT_REQUEST, "", {}}),
              "PLAN_BELOW_PROGRESS");
  EXPECT_INVALID(Decide(state, RevisePlan{3, ev::PLAN_REVISION_REASON_UNSPECIFIED, "", {}}),
                 "reason");
  auto ends = Decide(
      state, RevisePlan{2, ev::PLAN_REVISION_REASON_CLIENT_REQUEST, "happy", DefaultPolicy()});
  ASSERT_TRUE(ends.ok()) << ends.status();
  ASSERT_EQ(ends->size(), 2u);
  EXPECT_EQ(ends->at(1).course_completed().sessions_completed(), 2);
}

TEST(PlanTest, TouchUpFollowsACompletedCourse) {
  EXPECT_RULE(Decide(Given(ReadyForTreatment()), StartTouchUp{1, kMonday}), "COURSE_NOT_COMPLETE");
  std::vector<ev::ClientEvent> events = ReadyForTreatment(1);
  events.push_back(Scheduled(1, kMonday));
  events.push_back(Completed(1));
  ev::ClientEvent done;
  done.mutable_course_completed()->set_course_number(1);
  events.push_back(done);
  EXPECT_INVALID(Decide(Given(events), StartTouchUp{3, kMonday}), "planned_sessions");
  auto touch_up = Decide(Given(events), StartTouchUp{1, kMonday});
  ASSERT_TRUE(touch_up.ok()) << touch_up.status();
  EXPECT_TRUE(touch_up->at(0).plan_agreed().touch_up());
  EXPECT_EQ(touch_up->at(0).plan_agreed().course_number(), 2);
  events.push_back(touch_up->at(0));
  ClientState state = Given(events);
  EXPECT_TRUE(state.plan_active);
  EXPECT_EQ(state.completed_sessions, 0);
}

TEST(AmendmentTest, NamesAnEventOfThisClient) {
  ClientState state = Given({Registered(), Consulted(3)});
  EXPECT_RULE(Decide(state, AmendRecord{"nope", "notes", "x", "typo"}), "AMENDED_EVENT_NOT_FOUND");
  auto amended = Decide(state, AmendRecord{"e1", "assessment.norwood", "4", "misread photo"});
  ASSERT_TRUE(amended.ok());
  EXPECT_EQ(amended->at(0).record_amended().amended_event_id(), "e1");
  EXPECT_INVALID(Decide(state, AmendRecord{"e1", "notes", "x", ""}), "reason");
}

TEST(StandingTest, HoldResumeDiscontinueAndMove) {
  ClientState ready = Given(ReadyForTreatment());
  ev::ClientEvent hold = Decide(ready, PutOnHold{"pregnancy"})->at(0);
  std::vector<ev::ClientEvent> events = ReadyForTreatment();
  events.push_back(hold);
  EXPECT_RULE(Decide(Given(events), PutOnHold{"again"}), "ALREADY_ON_HOLD");
  events.push_back(Decide(Given(events), Resume{})->at(0));
  EXPECT_FALSE(Given(events).on_hold);
  EXPECT_RULE(Decide(Given(events), Resume{}), "NOT_ON_HOLD");

  std::vector<ev::ClientEvent> booked = ReadyForTreatment();
  booked.push_back(Scheduled(1, kMonday));
  EXPECT_RULE(Decide(Given(booked), Discontinue{"moved abroad"}), "SESSION_OPEN");
  events.push_back(Decide(Given(events), Discontinue{"moved abroad"})->at(0));
  EXPECT_RULE(Decide(Given(events), SignConsent{ev::CONSENT_KIND_PHOTOS, "v1"}),
              "CLIENT_DISCONTINUED");

  auto moved = Decide(ready, ChangeHomeLocation{"leeds"});
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->at(0).home_location_changed().from_location_id(), "london");
  EXPECT_RULE(Decide(ready, ChangeHomeLocation{"london"}), "SAME_LOCATION");
}

}  // namespace
}  // namespace stipple::domain
