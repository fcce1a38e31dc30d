package enforcement

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/store/storetest"
	"prepaidreg/internal/workday"
	"prepaidreg/registry"
)

var clerk = audit.Actor{Username: "li", Role: "regulator", Via: "api"}

// fixture is a service on its own database, its registry and its trail, with a clock a test
// can move. It starts on Monday 2026-09-21 09:00 in Beijing.
type fixture struct {
	svc *Service
	reg *registry.Service
	log *audit.Log
	db  *mongo.Database
	now time.Time
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	db := storetest.New(t)
	log := audit.NewLog(db)
	rst := registry.NewMongoStore(db)
	require.NoError(t, rst.EnsureIndexes(ctx))
	reg := registry.NewService(rst, log, registry.BeijingAreas())
	st := NewMongoStore(db)
	require.NoError(t, st.EnsureIndexes(ctx))
	f := &fixture{svc: NewService(st, log, reg, workday.Default()), reg: reg, log: log, db: db,
		now: at(t, "2026-09-21", "09:00")}
	f.svc.SetClock(func() time.Time { return f.now })
	reg.SetClock(func() time.Time { return f.now })
	return f
}

// at returns a day and time of day in Beijing.
func at(t testing.TB, day, clock string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", day+" "+clock, workday.Zone)
	require.NoError(t, err)
	return v
}

// uscc returns the i-th valid test code.
func uscc(t testing.TB, i int) registry.USCC {
	t.Helper()
	first := fmt.Sprintf("91110105MA%07d", i)
	c, err := registry.CheckChar(first)
	require.NoError(t, err)
	return registry.USCC(first + string(c))
}

// enterprises puts n enterprises on file with one insert and returns their codes.
func (f *fixture) enterprises(t testing.TB, n int) []registry.USCC {
	t.Helper()
	codes := make([]registry.USCC, n)
	docs := make([]any, n)
	for i := range codes {
		codes[i] = uscc(t, i)
		docs[i] = registry.Enterprise{USCC: codes[i], Name: fmt.Sprintf("测试健身%03d有限公司", i), Aliases: []string{},
			District: "110105", Street: "望京街道", Industry: registry.IndustryFitness,
			Status: registry.StatusOperating,
			Stores: []registry.Shop{}, Version: 1, CreatedAt: f.now, UpdatedAt: f.now}
	}
	_, err := f.db.Collection(registry.EnterprisesCollection).InsertMany(context.Background(), docs)
	require.NoError(t, err)
	return codes
}

// officials registers n officials of the market bureau and returns their ids.
func (f *fixture) officials(t testing.TB, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range ids {
		o, err := f.svc.CreateOfficial(context.Background(), clerk, OfficialInput{
			Name: fmt.Sprintf("王%d", i), Department: "market", Title: "科员", Phone: "010-65090000"})
		require.NoError(t, err)
		ids[i] = o.ID
	}
	return ids
}

func input(t testing.TB, code registry.USCC, official string) InterviewInput {
	return InterviewInput{
		Enterprises: []string{string(code)}, Reason: "近期退费投诉集中", StartsAt: at(t, "2026-09-22", "10:00"),
		DurationMinutes: 60, Room: "第一约谈室", Officials: []string{official},
		Departments: []Department{"commerce"}, Materials: []string{"营业执照", "预付卡销售台账"},
	}
}

func verifyTrail(t *testing.T, log *audit.Log) {
	t.Helper()
	rep, err := log.Verify(context.Background(),
		audit.Versioned{Collection: InterviewsCollection, Kind: "interview"},
		audit.Versioned{Collection: CampaignsCollection, Kind: "interview_campaign"},
		audit.Versioned{Collection: OfficialsCollection, Kind: "official"})
	require.NoError(t, err)
	assert.True(t, rep.OK(), "audit trail: %v", rep.Problems)
}

func TestService_ScheduleInterview(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	codes := f.enterprises(t, 2)
	officials := f.officials(t, 1)

	iv, err := f.svc.ScheduleInterview(ctx, clerk, input(t, codes[0], officials[0]))
	require.NoError(t, err)
	assert.Equal(t, "京朝市监约〔2026〕第0001号", iv.NoticeNumber)
	assert.Equal(t, StateScheduled, iv.State)
	assert.EqualValues(t, 1, iv.Version)
	assert.Equal(t, []Department{"market", "commerce"}, iv.Departments, "the market bureau always takes part")
	assert.Equal(t, DefaultLegalBasis, iv.LegalBasis)
	assert.Equal(t, time.Date(2026, 9, 22, 2, 0, 0, 0, time.UTC), iv.StartsAt)
	assert.Equal(t, time.Date(2026, 9, 22, 3, 0, 0, 0, time.UTC), iv.EndsAt)
	assert.Equal(t, []Attendee{{Role: AttendeeLegalRepresentative}}, iv.Attendees)
	require.Len(t, iv.History, 1)
	assert.Equal(t, Step{State: StateScheduled, At: f.now.UTC(), By: "li"}, iv.History[0])

	got, err := f.svc.Interview(ctx, iv.ID)
	require.NoError(t, err)
	assert.Equal(t, iv.StartsAt, got.StartsAt.UTC())

	// An adjusted working Saturday (国庆节调休上班) takes interviews; numbers go on.
	in := input(t, codes[1], officials[0])
	in.StartsAt = at(t, "2026-10-10", "14:00")
	in.Room, in.VideoLink = "", "https://meeting.example.cn/j/123"
	iv2, err := f.svc.ScheduleInterview(ctx, clerk, in)
	require.NoError(t, err)
	assert.Equal(t, "京朝市监约〔2026〕第0002号", iv2.NoticeNumber)

	list, err := f.svc.ListInterviews(ctx, InterviewQuery{Official: officials[0]})
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, iv.ID, list[0].ID, "calendar views are by start time")
	of, err := f.svc.InterviewsOf(ctx, codes[1], 10)
	require.NoError(t, err)
	require.Len(t, of, 1)
	assert.Equal(t, iv2.ID, of[0].ID)
	verifyTrail(t, f.log)
}

func TestService_ScheduleInterview_Refused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	codes := f.enterprises(t, 1)
	officials := f.officials(t, 2)
	o, err := f.svc.DeactivateOfficial(ctx, clerk, officials[1], 1)
	require.NoError(t, err)
	require.False(t, o.Active)

	cases := []struct {
		name   string
		change func(in *InterviewInput)
		field  string
		want   string
	}{
		{"ends before it starts", func(in *InterviewInput) {
			end := in.StartsAt.Add(-time.Hour)
			in.EndsAt, in.DurationMinutes = &end, 0
		}, "ends_at", "ends before it starts"},
		{"zero duration", func(in *InterviewInput) {
			in.DurationMinutes = 0
		}, "duration_minutes", "ends before it starts"},
		{"too short", func(in *InterviewInput) { in.DurationMinutes = 10 }, "duration_minutes", "at least 15"},
		{"longer than a day", func(in *InterviewInput) {
			in.DurationMinutes = 24 * 60
		}, "duration_minutes", "at most 480"},
		{"on a holiday", func(in *InterviewInput) { in.StartsAt = at(t, "2026-09-25", "10:00") },
			"starts_at", "中秋节"},
		{"on a weekend", func(in *InterviewInput) { in.StartsAt = at(t, "2026-10-17", "10:00") },
			"starts_at", "星期六"},
		{"before hours", func(in *InterviewInput) {
			in.StartsAt = at(t, "2026-09-22", "08:30")
		}, "starts_at", "working hours"},
		{"ends after hours", func(in *InterviewInput) {
			in.StartsAt = at(t, "2026-09-22", "17:00")
		}, "starts_at", "working hours"},
		{"in the past", func(in *InterviewInput) {
			in.StartsAt = at(t, "2026-09-21", "08:00")
		}, "starts_at", "has passed"},
		{"unknown department", func(in *InterviewInput) {
			in.Departments = []Department{"police"}
		}, "departments[0]", "unknown department"},
		{"unknown official", func(in *InterviewInput) {
			in.Officials = []string{"OF-nobody"}
		}, "officials", "no such official"},
		{"inactive official", func(in *InterviewInput) {
			in.Officials = []string{officials[1]}
		}, "officials", "inactive"},
		{"no official", func(in *InterviewInput) { in.Officials = nil }, "officials", "at least one official"},
		{"unknown enterprise", func(in *InterviewInput) {
			in.Enterprises = []string{string(uscc(t, 999))}
		}, "enterprises", "no such enterprise"},
		{"invalid code", func(in *InterviewInput) {
			in.Enterprises = []string{"91110105MA0000000X"}
		}, "enterprises[0]", "check character"},
		{"no room and no video link", func(in *InterviewInput) { in.Room = "  " }, "room", "room or a video link"},
		{"no reason", func(in *InterviewInput) { in.Reason = "" }, "reason", "reason"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := input(t, codes[0], officials[0])
			tc.change(&in)
			_, err := f.svc.ScheduleInterview(ctx, clerk, in)
			require.Error(t, err)
			assert.Equal(t, errs.Invalid, errs.KindOf(err), "%v", err)
			assert.Contains(t, fieldMessages(err, tc.field), tc.want, "%v", err)
		})
	}
	list, err := f.svc.ListInterviews(ctx, InterviewQuery{})
	require.NoError(t, err)
	assert.Empty(t, list, "nothing refused is written")
}

// fieldMessages joins the messages of err's fields named name.
func fieldMessages(err error, name string) string {
	out := ""
	for _, fe := range errs.FieldsOf(err) {
		if fe.Field == name {
			out += fe.Message + "\n"
		}
	}
	return out
}

func TestService_ScheduleInterview_Clashes(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	codes := f.enterprises(t, 4)
	officials := f.officials(t, 3)
	first, err := f.svc.ScheduleInterview(ctx, clerk, input(t, codes[0], officials[0]))
	require.NoError(t, err)

	cases := []struct {
		name     string
		change   func(in *InterviewInput)
		resource string
		want     string
	}{
		{"room", func(in *InterviewInput) { in.Room = " 第一约谈室 " }, resRoom, "约谈室 第一约谈室 已被占用"},
		{"official", func(in *InterviewInput) {
			in.Room, in.Officials = "第二约谈室", officials[:1]
		}, resOfficial, "约谈人员 王0"},
		{"enterprise", func(in *InterviewInput) {
			in.Room, in.Enterprises = "第二约谈室", []string{string(codes[0])}
		}, resEnterprise, "企业 " + string(codes[0])},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := input(t, codes[1], officials[1])
			in.StartsAt = at(t, "2026-09-22", "10:30")
			tc.change(&in)
			_, err := f.svc.ScheduleInterview(ctx, clerk, in)
			var clash *ClashError
			require.True(t, errors.As(err, &clash), "%v", err)
			assert.Equal(t, first.ID, clash.InterviewID)
			assert.Equal(t, tc.resource, clash.Resource)
			assert.Equal(t, errs.Conflict, errs.KindOf(err))
			assert.Contains(t, errs.MessageOf(err), "与约谈 "+first.ID)
			assert.Contains(t, errs.MessageOf(err), tc.want)
		})
	}

	t.Run("back to back is no clash", func(t *testing.T) {
		in := input(t, codes[2], officials[0])
		in.StartsAt = at(t, "2026-09-22", "11:00")
		_, err := f.svc.ScheduleInterview(ctx, clerk, in)
		require.NoError(t, err)
	})
	t.Run("a cancelled interview frees its room", func(t *testing.T) {
		_, err := f.svc.CancelInterview(ctx, clerk, first.ID, 1, "企业申请延期")
		require.NoError(t, err)
		_, err = f.svc.ScheduleInterview(ctx, clerk, input(t, codes[3], officials[2]))
		require.NoError(t, err)
	})
}

func TestService_ScheduleInterview_ConcurrentOneWins(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	codes := f.enterprises(t, 8)
	officials := f.officials(t, 8)

	// Eight clerks book the same room at the same time for different enterprises with
	// different officials: exactly one booking lands.
	var wg sync.WaitGroup
	results := make(chan error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.svc.ScheduleInterview(ctx, clerk, input(t, codes[i], officials[i]))
			results <- err
		}()
	}
	wg.Wait()
	close(results)
	wins, clashes := 0, 0
	for err := range results {
		var clash *ClashError
		switch {
		case err == nil:
			wins++
		case errors.As(err, &clash):
			clashes++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	assert.Equal(t, 1, wins)
	assert.Equal(t, 7, clashes)
	list, err := f.svc.ListInterviews(ctx, InterviewQuery{Room: "第一约谈室"})
	require.NoError(t, err)
	assert.Len(t, list, 1)
}

func clerkNamed(name string) audit.Actor {
	return audit.Actor{Username: name, Role: "regulator", Via: "api"}
}
