package enforcement

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/registry"
)

var rooms = []string{"第一约谈室", "第二约谈室", "第三约谈室"}

// campaignRequest asks for the year's campaign: codes over the ten working days from
// Tuesday 9-22 to Monday 10-12 (中秋 and 国庆 in between, Saturday 10-10 worked), three rooms
// of three officials, 60-minute slots from 09:00 to 17:30: 8 slots a day in each room.
func campaignRequest(codes []registry.USCC, officials []string) CampaignRequest {
	req := CampaignRequest{From: "2026-09-22", To: "2026-10-12", Rooms: rooms, SlotMinutes: 60,
		DayStart: "09:00", DayEnd: "17:30", Reason: "预付式消费专项约谈", Officials: map[string][]string{},
		Departments: []Department{"commerce", "sports"}, Materials: []string{"预付卡销售台账"}}
	for i, room := range rooms {
		req.Officials[room] = officials[3*i : 3*i+3]
	}
	for _, c := range codes {
		req.Enterprises = append(req.Enterprises, string(c))
	}
	return req
}

func TestService_PlanCampaign(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	codes := f.enterprises(t, 221)
	officials := f.officials(t, 9)

	// An interview booked before holds room 1 and its officials on 9-22 at 09:00.
	booked, err := f.svc.ScheduleInterview(ctx, clerk, InterviewInput{Enterprises: []string{string(codes[220])},
		Reason: "投诉集中", StartsAt: at(t, "2026-09-22", "09:00"), DurationMinutes: 60, Room: rooms[0],
		Officials: officials[:1]})
	require.NoError(t, err)

	c, err := f.svc.PlanCampaign(ctx, clerk, campaignRequest(codes[:220], officials))
	require.NoError(t, err)
	require.Len(t, c.InterviewIDs, 220)

	got, ivs, err := f.svc.Campaign(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, c.Request.Officials, got.Request.Officials)
	require.Len(t, ivs, 220)
	all := append(ivs, *booked)
	for i := range all {
		for j := i + 1; j < len(all); j++ {
			a, b := &all[i], &all[j]
			if !a.StartsAt.Before(b.EndsAt) || !b.StartsAt.Before(a.EndsAt) {
				continue
			}
			assert.NotEqual(t, a.Room, b.Room, "%s and %s share a room", a.ID, b.ID)
			for _, o := range a.Officials {
				assert.NotContains(t, b.Officials, o, "%s and %s share an official", a.ID, b.ID)
			}
			assert.NotEqual(t, a.Enterprises, b.Enterprises)
		}
	}

	days := map[string]int{}
	byCode := map[registry.USCC]Interview{}
	for _, iv := range ivs {
		assert.True(t, f.svc.calendar.IsWorkday(iv.StartsAt), "%s on a day off", iv.StartsAt)
		assert.True(t, f.svc.withinHours(iv.StartsAt, iv.DurationMinutes))
		assert.Equal(t, c.ID, iv.CampaignID)
		assert.Contains(t, iv.Departments, Department("market"))
		days[iv.StartsAt.In(at(t, "2026-09-22", "09:00").Location()).Format("2006-01-02")]++
		byCode[iv.Enterprises[0]] = iv
	}
	assert.Len(t, days, 10)
	assert.Zero(t, days["2026-09-25"]+days["2026-10-01"]+days["2026-10-07"], "holidays skipped")
	assert.Equal(t, 24, days["2026-10-10"], "the adjusted working Saturday is used")
	assert.Equal(t, 23, days["2026-09-22"], "the booked slot is passed over")

	// Enterprises in the order given take slots in time order, rooms in the order given.
	first := byCode[codes[0]]
	assert.Equal(t, at(t, "2026-09-22", "09:00").UTC(), first.StartsAt.UTC())
	assert.Equal(t, rooms[1], first.Room, "room 1 is taken at 09:00")
	assert.Equal(t, officials[3:6], first.Officials)
	for i := 1; i < 220; i++ {
		assert.False(t, byCode[codes[i]].StartsAt.Before(byCode[codes[i-1]].StartsAt))
	}
	assert.Equal(t, "京朝市监约〔2026〕第0002号", first.NoticeNumber)
	assert.Equal(t, "京朝市监约〔2026〕第0221号", byCode[codes[219]].NoticeNumber)
	verifyTrail(t, f.log)
	page, err := f.log.List(ctx, audit.Query{Target: "interview_campaign/" + c.ID})
	require.NoError(t, err)
	assert.Len(t, page.Records, 1)
}

func TestService_PlanCampaign_TooFewSlots(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	codes := f.enterprises(t, 250)
	officials := f.officials(t, 9)

	_, err := f.svc.PlanCampaign(ctx, clerk, campaignRequest(codes, officials))
	require.Error(t, err)
	assert.Equal(t, errs.Invalid, errs.KindOf(err))
	fields := errs.FieldsOf(err)
	require.Len(t, fields, 11)
	assert.Contains(t, fields[0].Message, "found 240 free slots, need 250; 10 enterprises left")
	for i, fe := range fields[1:] {
		assert.Equal(t, "enterprises", fe.Field)
		assert.Contains(t, fe.Message, string(codes[240+i]))
	}
	var short *ShortageError
	require.True(t, errors.As(err, &short), "the refusal is a ShortageError: %v", err)
	assert.Equal(t, 240, short.Found)
	assert.Equal(t, 250, short.Needed)
	assert.Equal(t, codes[240:], short.Left)

	list, err := f.svc.ListInterviews(ctx, InterviewQuery{})
	require.NoError(t, err)
	assert.Empty(t, list, "nothing is written")
	page, err := f.log.List(ctx, audit.Query{Latest: true, Limit: 1})
	require.NoError(t, err)
	assert.Equal(t, "official.create", page.Records[0].Action)
}

func TestService_PlanCampaign_Invalid(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	codes := f.enterprises(t, 3)
	officials := f.officials(t, 10)
	_, err := f.svc.DeactivateOfficial(ctx, clerk, officials[9], 1)
	require.NoError(t, err)

	cases := []struct {
		name   string
		change func(r *CampaignRequest)
		field  string
		want   string
	}{
		{"duplicate enterprise", func(r *CampaignRequest) { r.Enterprises = append(r.Enterprises, r.Enterprises[0]) },
			"enterprises[3]", "listed twice"},
		{"unknown enterprises", func(r *CampaignRequest) {
			r.Enterprises = append(r.Enterprises, string(uscc(t, 500)), string(uscc(t, 501)))
		}, "enterprises", string(uscc(t, 501))},
		{"too many enterprises", func(r *CampaignRequest) {
			r.Enterprises = make([]string, 2001)
		}, "enterprises", "at most 2000"},
		{"unknown official", func(r *CampaignRequest) {
			r.Officials[rooms[0]] = []string{"OF-nobody"}
		}, "officials", "no such official"},
		{"inactive official", func(r *CampaignRequest) {
			r.Officials[rooms[0]] = officials[9:]
		}, "officials", "inactive"},
		{"official in two rooms", func(r *CampaignRequest) {
			r.Officials[rooms[1]] = officials[:1]
		}, "officials", "two rooms"},
		{"room without officials", func(r *CampaignRequest) {
			delete(r.Officials, rooms[2])
		}, "officials", "no officials"},
		{"no rooms", func(r *CampaignRequest) { r.Rooms, r.Officials = nil, nil }, "rooms", "at least one room"},
		{"day ends before it starts", func(r *CampaignRequest) { r.DayEnd = "09:00" }, "day_end", "after day_start"},
		{"outside working hours", func(r *CampaignRequest) { r.DayStart = "08:00" }, "day_start", "working hours"},
		{"slot too short", func(r *CampaignRequest) { r.SlotMinutes = 10 }, "slot_minutes", "15 to 480"},
		{"from after to", func(r *CampaignRequest) { r.From, r.To = "2026-10-12", "2026-09-22" }, "to", "before from"},
		{"range too long", func(r *CampaignRequest) { r.To = "2026-12-31" }, "to", "at most 92 days"},
		{"bad date", func(r *CampaignRequest) { r.From = "22/09/2026" }, "from", "2006-01-02"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := campaignRequest(codes, officials)
			tc.change(&req)
			_, err := f.svc.PlanCampaign(ctx, clerk, req)
			require.Error(t, err)
			assert.Equal(t, errs.Invalid, errs.KindOf(err), "%v", err)
			assert.Contains(t, fieldMessages(err, tc.field), tc.want, "%v", err)
		})
	}
	list, err := f.svc.ListInterviews(ctx, InterviewQuery{})
	require.NoError(t, err)
	assert.Empty(t, list)
}
