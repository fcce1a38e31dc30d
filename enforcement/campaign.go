package enforcement

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/store"
	"prepaidreg/internal/workday"
	"prepaidreg/registry"
)

// Campaign limits.
const (
	MaxCampaignEnterprises = 2000
	MaxCampaignDays        = 92
)

// CampaignRequest asks for a campaign of interviews (专项约谈): each enterprise interviewed on
// its own, in one of the rooms, by that room's officials, in slots of SlotMinutes from
// DayStart to DayEnd on every working day from From to To.
type CampaignRequest struct {
	Enterprises []string `json:"enterprises" bson:"enterprises"`
	// From and To are days, "2006-01-02", both included.
	From  string   `json:"from" bson:"from"`
	To    string   `json:"to" bson:"to"`
	Rooms []string `json:"rooms" bson:"rooms"`
	// Officials gives each room the ids of the officials who sit in it.
	Officials   map[string][]string `json:"officials" bson:"-"`
	SlotMinutes int                 `json:"slot_minutes" bson:"slot_minutes"`
	// DayStart and DayEnd are times of day, "15:04", in Asia/Shanghai.
	DayStart    string       `json:"day_start" bson:"day_start"`
	DayEnd      string       `json:"day_end" bson:"day_end"`
	Reason      string       `json:"reason" bson:"reason"`
	LegalBasis  string       `json:"legal_basis" bson:"legal_basis"`
	Departments []Department `json:"departments" bson:"departments"`
	Attendees   []Attendee   `json:"attendees" bson:"attendees"`
	Materials   []string     `json:"materials" bson:"materials"`
	Contact     string       `json:"contact" bson:"contact"`
}

// Campaign is a planned campaign: the request as given and the interviews it made.
type Campaign struct {
	ID           string          `json:"id" bson:"_id"`
	InterviewIDs []string        `json:"interview_ids" bson:"interview_ids"`
	Request      CampaignRequest `json:"request" bson:"request"`
	CreatedBy    string          `json:"created_by" bson:"created_by"`
	CreatedAt    time.Time       `json:"created_at" bson:"created_at"`
	Version      int64           `json:"version" bson:"version"`
}

func (c *Campaign) target() string { return "interview_campaign/" + c.ID }

// plan is a checked campaign request.
type plan struct {
	codes     []registry.USCC
	from, to  time.Time // days in Asia/Shanghai
	rooms     []string
	officials map[string][]string // by room
	slot      time.Duration
	dayStart  int // minutes after midnight
	dayEnd    int
	// base carries what every interview of the campaign shares, with its defaults filled in.
	base *Interview
}

// slot is one room at one time.
type slot struct {
	start, end time.Time
	room       string
}

// failedWrite is the reason written on the interviews of a campaign whose write broke off.
const failedWrite = "计划写入失败"

// PlanCampaign schedules a whole campaign in one call: every enterprise gets its own interview
// in the first free slot, in the order given, slots taken in time order and, at one time, in
// the order of the rooms. Slots on days off, in the past, or that clash with an active
// interview's room, officials or enterprise are passed over. If there are fewer free slots
// than enterprises nothing is written, and the error says how many slots were found and which
// enterprises are left.
//
// It costs a fixed number of round trips whatever the number of enterprises: one read each of
// the officials, the enterprises and the active interviews in the range, one counter update
// for the notice numbers, one insert of all interviews, one of the campaign, and the audit.
func (s *Service) PlanCampaign(ctx context.Context, actor audit.Actor, req CampaignRequest) (*Campaign, error) {
	const op = "enforcement.PlanCampaign"
	now := s.clock()

	p, fe := s.checkCampaign(req, actor, now)
	if len(fe) > 0 {
		return nil, errs.Fields(op, fe...)
	}
	fe, err := s.checkCampaignParties(ctx, p)
	if err != nil {
		return nil, err
	}
	if len(fe) > 0 {
		return nil, errs.Fields(op, fe...)
	}

	defer store.LockDocument(InterviewsCollection, scheduleLock)()
	rangeEnd := p.to.AddDate(0, 0, 1)
	active, err := s.store.ActiveInterviews(ctx, p.from.UTC(), rangeEnd.UTC())
	if err != nil {
		return nil, err
	}
	ivs, free, left := s.assign(p, newBusy(active), actor, now)
	if len(left) > 0 {
		return nil, shortage(op, free, len(p.codes), left)
	}
	c := &Campaign{ID: "IC-" + now.In(workday.Zone).Format("20060102") + "-" + randHex(4), Request: req,
		CreatedBy: actor.Username, CreatedAt: now, Version: 1}
	if err := s.writeCampaign(ctx, op, actor, c, ivs, now); err != nil {
		return nil, err
	}
	return c, nil
}

// checkCampaign checks what needs no store.
func (s *Service) checkCampaign(req CampaignRequest, actor audit.Actor, now time.Time) (*plan, []errs.FieldError) {
	var fe []errs.FieldError
	p := &plan{officials: map[string][]string{}}

	switch n := len(req.Enterprises); {
	case n == 0:
		fe = append(fe, field("enterprises", "至少约谈一家企业 (name at least one enterprise)"))
	case n > MaxCampaignEnterprises:
		fe = append(fe,
			field("enterprises", fmt.Sprintf("一次计划至多%d家企业，实有%d家 (at most %d enterprises, got %d)",
				MaxCampaignEnterprises, n, MaxCampaignEnterprises, n)))
	default:
		for i, raw := range req.Enterprises {
			c, err := registry.ParseUSCC(raw)
			switch {
			case err != nil:
				fe = append(fe, field(fmt.Sprintf("enterprises[%d]", i), err.Error()))
			case slices.Contains(p.codes, c):
				fe = append(fe, field(fmt.Sprintf("enterprises[%d]", i), "企业重复："+string(c)+" (listed twice)"))
			default:
				p.codes = append(p.codes, c)
			}
		}
	}

	fe = append(fe, p.checkDays(req, s.calendar)...)
	fe = append(fe, p.checkHours(req, s.hours)...)
	fe = append(fe, p.checkRooms(req)...)

	// The fields every interview shares pass the checks of a single interview.
	p.base, _ = s.interviewOf(InterviewInput{Reason: req.Reason, LegalBasis: req.LegalBasis,
		Departments: req.Departments, Attendees: req.Attendees, Materials: req.Materials, Contact: req.Contact},
		actor, now)
	if strings.TrimSpace(req.Reason) == "" {
		fe = append(fe, field("reason", "须写明约谈事由 (give the reason for the interview)"))
	}
	_, dfe := checkDepartments(req.Departments)
	_, afe := checkAttendees(req.Attendees)
	fe = append(append(fe, dfe...), afe...)
	return p, fe
}

func (p *plan) checkDays(req CampaignRequest, cal *workday.Calendar) []errs.FieldError {
	var fe []errs.FieldError
	from, err := time.ParseInLocation(time.DateOnly, req.From, workday.Zone)
	if err != nil {
		fe = append(fe, field("from", "开始日期须为 2006-01-02 格式 (from must be a date, 2006-01-02)"))
	}
	to, err2 := time.ParseInLocation(time.DateOnly, req.To, workday.Zone)
	if err2 != nil {
		fe = append(fe, field("to", "结束日期须为 2006-01-02 格式 (to must be a date, 2006-01-02)"))
	}
	if err != nil || err2 != nil {
		return fe
	}
	switch days := int(to.Sub(from).Hours()/24) + 1; {
	case to.Before(from):
		fe = append(fe, field("to", "结束日期早于开始日期 (to is before from)"))
	case days > MaxCampaignDays:
		fe = append(fe, field("to", fmt.Sprintf("计划跨度至多%d天，实为%d天 (at most %d days, got %d)",
			MaxCampaignDays, days, MaxCampaignDays, days)))
	case len(cal.Workdays(from, to)) == 0:
		fe = append(fe, field("to", "所选日期内没有工作日 (no working day in the range)"))
	}
	p.from, p.to = from, to
	return fe
}

func (p *plan) checkHours(req CampaignRequest, hours Hours) []errs.FieldError {
	var fe []errs.FieldError
	start, ok1 := parseClock(req.DayStart)
	if !ok1 {
		fe = append(fe, field("day_start", "每日开始时间须为 15:04 格式 (day_start must be a time, 15:04)"))
	}
	end, ok2 := parseClock(req.DayEnd)
	if !ok2 {
		fe = append(fe, field("day_end", "每日结束时间须为 15:04 格式 (day_end must be a time, 15:04)"))
	}
	switch {
	case !ok1 || !ok2:
	case end <= start:
		fe = append(fe, field("day_end", "每日结束时间须晚于开始时间 (day_end must be after day_start)"))
	case start < hours.Start || end > hours.End:
		fe = append(fe, field("day_start", fmt.Sprintf("约谈须在工作时间 %s–%s 内 (outside working hours %s–%s)",
			clockOf(hours.Start), clockOf(hours.End), clockOf(hours.Start), clockOf(hours.End))))
	}
	if req.SlotMinutes < MinDurationMinutes || req.SlotMinutes > MaxDurationMinutes {
		fe = append(fe, field("slot_minutes", fmt.Sprintf("每场时长须在%d到%d分钟之间 (slot_minutes must be %d to %d)",
			MinDurationMinutes, MaxDurationMinutes, MinDurationMinutes, MaxDurationMinutes)))
	} else if ok1 && ok2 && end-start < req.SlotMinutes {
		fe = append(fe, field("slot_minutes", "每日时段容不下一场约谈 (no slot fits between day_start and day_end)"))
	}
	p.dayStart, p.dayEnd, p.slot = start, end, time.Duration(req.SlotMinutes)*time.Minute
	return fe
}

func parseClock(s string) (int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// checkRooms checks the rooms and their officials: every room has one at least, and no
// official sits in two rooms, since the rooms run at the same time.
func (p *plan) checkRooms(req CampaignRequest) []errs.FieldError {
	var fe []errs.FieldError
	if len(req.Rooms) == 0 {
		fe = append(fe, field("rooms", "至少指定一间约谈室 (name at least one room)"))
	}
	for i, raw := range req.Rooms {
		room := strings.TrimSpace(raw)
		switch {
		case room == "":
			fe = append(fe, field(fmt.Sprintf("rooms[%d]", i), "约谈室名称不能为空 (room name is empty)"))
		case slices.Contains(p.rooms, room):
			fe = append(fe, field(fmt.Sprintf("rooms[%d]", i), "约谈室重复："+room+" (listed twice)"))
		default:
			p.rooms = append(p.rooms, room)
		}
	}
	seen := map[string]string{}
	for key, ids := range req.Officials {
		room := strings.TrimSpace(key)
		if !slices.Contains(p.rooms, room) {
			fe = append(fe, field("officials", "约谈室 "+room+" 不在 rooms 中 (room is not among rooms)"))
			continue
		}
		for _, id := range dedupe(ids) {
			if other, ok := seen[id]; ok {
				fe = append(fe, field("officials",
					fmt.Sprintf("工作人员 %s 同时安排在 %s 和 %s (official in two rooms)", id, other, room)))
				continue
			}
			seen[id] = room
			p.officials[room] = append(p.officials[room], id)
		}
	}
	for _, room := range p.rooms {
		if len(p.officials[room]) == 0 {
			fe = append(fe, field("officials", "约谈室 "+room+" 没有约谈人员 (room has no officials)"))
		}
	}
	return fe
}

// checkCampaignParties reads the enterprises and the officials, one query each.
func (s *Service) checkCampaignParties(ctx context.Context, p *plan) ([]errs.FieldError, error) {
	var ids []string
	for _, room := range p.rooms {
		ids = append(ids, p.officials[room]...)
	}
	_, fe, err := s.checkParties(ctx, p.codes, ids)
	return fe, err
}

// slots lists the plan's slots in time order, and at one time in the order of the rooms,
// leaving out the past and those whose room or officials an active interview holds.
func (p *plan) slots(cal *workday.Calendar, b busy, now time.Time) []slot {
	var out []slot
	for _, day := range cal.Workdays(p.from, p.to) {
		first := day.Add(time.Duration(p.dayStart) * time.Minute)
		last := day.Add(time.Duration(p.dayEnd) * time.Minute)
		for start := first; !start.Add(p.slot).After(last); start = start.Add(p.slot) {
			if !start.After(now) {
				continue
			}
			end := start.Add(p.slot)
			for _, room := range p.rooms {
				if p.free(b, room, start.UTC(), end.UTC()) {
					out = append(out, slot{start: start.UTC(), end: end.UTC(), room: room})
				}
			}
		}
	}
	return out
}

func (p *plan) free(b busy, room string, start, end time.Time) bool {
	if b.holder(resRoom, room, "", start, end) != nil {
		return false
	}
	for _, id := range p.officials[room] {
		if b.holder(resOfficial, id, "", start, end) != nil {
			return false
		}
	}
	return true
}

// assign gives each enterprise, in order, the first free slot in which it has no other
// interview, and builds the interviews; or returns the enterprises it could not place, with the
// number of free slots it found.
func (s *Service) assign(p *plan, b busy, actor audit.Actor, now time.Time) ([]Interview, int, []registry.USCC) {
	slots := p.slots(s.calendar, b, now)
	used := make([]bool, len(slots))
	next := 0 // every slot before next is used
	ivs := make([]Interview, 0, len(p.codes))
	var left []registry.USCC
	for _, code := range p.codes {
		k := -1
		for i := next; i < len(slots); i++ {
			if !used[i] && b.holder(resEnterprise, string(code), "", slots[i].start, slots[i].end) == nil {
				k = i
				break
			}
		}
		if k < 0 {
			left = append(left, code)
			continue
		}
		used[k] = true
		for next < len(used) && used[next] {
			next++
		}
		ivs = append(ivs, p.interview(code, slots[k], actor, now))
	}
	if len(left) == 0 {
		return ivs, len(slots), nil
	}
	return nil, len(slots), left
}

// ShortageError says a campaign cannot be planned: it found fewer free slots than it needs, and
// which enterprises are left without one. It unwraps to an Invalid error whose field errors say
// the same in words.
type ShortageError struct {
	Found  int
	Needed int
	Left   []registry.USCC
	err    error
}

// Error returns the message.
func (e *ShortageError) Error() string { return e.err.Error() }

// Unwrap returns the Invalid error with its field errors.
func (e *ShortageError) Unwrap() error { return e.err }

func shortage(op string, found, needed int, left []registry.USCC) error {
	fe := []errs.FieldError{field("enterprises", fmt.Sprintf("空闲时段只有%d个，需要%d个，%d家企业未能安排 "+
		"(found %d free slots, need %d; %d enterprises left)", found, needed, len(left), found, needed, len(left)))}
	for _, c := range left {
		fe = append(fe, field("enterprises", "未能安排："+string(c)+" (no free slot)"))
	}
	return &ShortageError{Found: found, Needed: needed, Left: left, err: errs.Fields(op, fe...)}
}

// interview makes the interview of one enterprise in one slot.
func (p *plan) interview(code registry.USCC, sl slot, actor audit.Actor, now time.Time) Interview {
	iv := *p.base
	iv.ID = newInterviewID(now)
	iv.Enterprises = []registry.USCC{code}
	iv.StartsAt, iv.EndsAt = sl.start, sl.end
	iv.DurationMinutes = int(p.slot / time.Minute)
	iv.Room = sl.room
	iv.Officials = slices.Clone(p.officials[sl.room])
	iv.Attendees = slices.Clone(iv.Attendees)
	iv.Materials = slices.Clone(iv.Materials)
	iv.Departments = slices.Clone(iv.Departments)
	iv.History = []Step{{State: StateScheduled, At: now, By: actor.Username}}
	return iv
}

// writeCampaign numbers the interviews, writes them and the campaign, and records them all. If
// the insert of the interviews breaks off, the ones written are marked cancelled with the
// reason 计划写入失败, so that nothing is half written silently.
func (s *Service) writeCampaign(
	ctx context.Context,
	op string,
	actor audit.Actor,
	c *Campaign,
	ivs []Interview,
	now time.Time,
) error {
	year := now.In(workday.Zone).Year()
	first, err := s.store.ReserveNoticeNumbers(ctx, year, len(ivs))
	if err != nil {
		return err
	}
	entries := make([]audit.Entry, 0, len(ivs)+1)
	c.InterviewIDs = make([]string, len(ivs))
	for i := range ivs {
		ivs[i].NoticeNumber = noticeNumber(year, first+i)
		ivs[i].CampaignID = c.ID
		c.InterviewIDs[i] = ivs[i].ID
		entries = append(entries, audit.Entry{Actor: actor, Action: "interview.schedule", Target: ivs[i].target(),
			Version: 1, Change: map[string]any{"after": ivs[i]}})
	}

	written, err := s.store.InsertInterviews(ctx, ivs)
	if err != nil {
		return s.undoCampaign(ctx, op, actor, written, entries, now, err)
	}
	if err := s.store.InsertCampaign(ctx, c); err != nil {
		return s.undoCampaign(ctx, op, actor, written, entries, now, err)
	}
	entries = append(entries, audit.Entry{Actor: actor, Action: "interview_campaign.plan", Target: c.target(),
		Version: 1, Change: map[string]any{"request": c.Request, "interviews": c.InterviewIDs}})
	if _, err := s.audit.AppendMany(ctx, entries); err != nil {
		return errs.Wrap(errs.Internal, op, err)
	}
	return nil
}

// undoCampaign cancels the interviews of a campaign that was written only in part, and
// records both their scheduling and their cancellation.
func (s *Service) undoCampaign(
	ctx context.Context,
	op string,
	actor audit.Actor,
	written []string,
	entries []audit.Entry,
	now time.Time,
	cause error,
) error {
	if len(written) == 0 {
		return cause
	}
	ctx = context.WithoutCancel(ctx)
	if err := s.store.CancelUnwritten(ctx, written, failedWrite, actor.Username, now); err != nil {
		return errs.Wrap(errs.Internal, op, fmt.Errorf("%w; cancelling the %d written: %v", cause, len(written), err))
	}
	var records []audit.Entry
	for _, e := range entries {
		for _, id := range written {
			if e.Target == "interview/"+id {
				records = append(records, e, audit.Entry{
					Actor: actor, Action: "interview.cancel", Target: e.Target, Version: 2,
					Change: map[string]any{"from": StateScheduled, "to": StateCancelled, "note": failedWrite},
				})
			}
		}
	}
	if _, err := s.audit.AppendMany(ctx, records); err != nil {
		return errs.Wrap(errs.Internal, op, fmt.Errorf("%w; audit of the cancelled: %v", cause, err))
	}
	return cause
}

// Campaign returns the campaign with id and its interviews by start time.
func (s *Service) Campaign(ctx context.Context, id string) (*Campaign, []Interview, error) {
	c, err := s.store.GetCampaign(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	ivs, err := s.store.InterviewsByID(ctx, c.InterviewIDs)
	if err != nil {
		return nil, nil, err
	}
	return c, ivs, nil
}
