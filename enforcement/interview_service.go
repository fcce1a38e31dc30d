package enforcement

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/store"
	"prepaidreg/internal/workday"
	"prepaidreg/registry"
)

// NoticePrefix opens every interview notice number: 京 (Beijing), 朝 (Chaoyang), 市监
// (market regulation), 约 (interview).
const NoticePrefix = "京朝市监约"

// MaxCollective is the most enterprises one collective interview may have.
const MaxCollective = 50

// scheduleLock is the key of the one in-process lock every scheduling holds around its clash
// check and its write, so that two schedules of the same room cannot both pass the check.
// Several instances on one MongoDB do not share it: there, two instances may still book the
// same slot at the same moment, and the calendar view shows the double booking.
const scheduleLock = "schedule"

// noticeNumber formats the n-th notice number of year, e.g. 京朝市监约〔2026〕第0153号.
func noticeNumber(year, n int) string {
	return fmt.Sprintf("%s〔%d〕第%04d号", NoticePrefix, year, n)
}

// newInterviewID returns a readable id: the day it was made in Asia/Shanghai and eight random
// hex digits, e.g. IV-20260921-4f9a0c1d.
func newInterviewID(now time.Time) string {
	return "IV-" + now.In(workday.Zone).Format("20060102") + "-" + randHex(4)
}

// randHex returns n random bytes as hex digits.
func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (iv *Interview) target() string { return "interview/" + iv.ID }

// clock returns the service's time as stored: UTC, to the millisecond.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// field names a field of a request and says what is wrong with it.
func field(name, msg string) errs.FieldError { return errs.FieldError{Field: name, Message: msg} }

// ScheduleInterview books an interview with one enterprise, or several for a collective one,
// and gives it the next notice number of the year. The time must be in the future, on a
// working day, within the bureau's working hours; the room, the officials and the enterprises
// must be free at that time.
func (s *Service) ScheduleInterview(ctx context.Context, actor audit.Actor, in InterviewInput) (*Interview, error) {
	const op = "enforcement.ScheduleInterview"
	now := s.clock()

	iv, fe := s.interviewOf(in, actor, now)
	if len(fe) > 0 {
		return nil, errs.Fields(op, fe...)
	}
	officials, fe, err := s.checkParties(ctx, iv.Enterprises, iv.Officials)
	if err != nil {
		return nil, err
	}
	if len(fe) > 0 {
		return nil, errs.Fields(op, fe...)
	}

	defer store.LockDocument(InterviewsCollection, scheduleLock)()
	active, err := s.store.ActiveInterviews(ctx, iv.StartsAt, iv.EndsAt)
	if err != nil {
		return nil, err
	}
	if err := clashOf(op, iv, newBusy(active), officials); err != nil {
		return nil, err
	}
	year := now.In(workday.Zone).Year()
	n, err := s.store.ReserveNoticeNumbers(ctx, year, 1)
	if err != nil {
		return nil, err
	}
	iv.NoticeNumber = noticeNumber(year, n)
	if err := s.store.InsertInterview(ctx, iv); err != nil {
		return nil, err
	}

	_, err = s.audit.Append(ctx, audit.Entry{
		Actor: actor, Action: "interview.schedule", Target: iv.target(), Version: iv.Version,
		Change: map[string]any{"after": iv},
	})
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return iv, nil
}

// interviewOf checks what needs no store and builds the interview.
func (s *Service) interviewOf(in InterviewInput, actor audit.Actor, now time.Time) (*Interview, []errs.FieldError) {
	var fe []errs.FieldError
	codes, efe := parseEnterprises(in.Enterprises)
	fe = append(fe, efe...)

	duration := in.DurationMinutes
	if in.EndsAt != nil {
		switch end := int(in.EndsAt.Sub(in.StartsAt) / time.Minute); {
		case !in.EndsAt.After(in.StartsAt):
			fe = append(fe, field("ends_at", "结束时间须晚于开始时间 (the interview ends before it starts)"))
		case duration == 0:
			duration = end
		case duration != end:
			fe = append(fe, field("ends_at", "结束时间与时长不一致 (ends_at does not match duration_minutes)"))
		}
	}
	start := in.StartsAt.UTC().Truncate(time.Millisecond)
	fe = append(fe, s.checkTime(start, duration, now)...)

	reason := strings.TrimSpace(in.Reason)
	if reason == "" {
		fe = append(fe, field("reason", "须写明约谈事由 (give the reason for the interview)"))
	} else if len([]rune(reason)) > 1000 {
		fe = append(fe, field("reason", "约谈事由不超过1000字 (the reason is at most 1000 characters)"))
	}
	room, link := strings.TrimSpace(in.Room), strings.TrimSpace(in.VideoLink)
	fe = append(fe, checkPlace(room, link)...)
	depts, dfe := checkDepartments(in.Departments)
	fe = append(fe, dfe...)
	officials := dedupe(in.Officials)
	if len(officials) == 0 {
		fe = append(fe, field("officials", "至少指定一名约谈人员 (name at least one official)"))
	}
	attendees, afe := checkAttendees(in.Attendees)
	fe = append(fe, afe...)

	basis := strings.TrimSpace(in.LegalBasis)
	if basis == "" {
		basis = DefaultLegalBasis
	}
	contact := strings.TrimSpace(in.Contact)
	if contact == "" {
		contact = s.bureau.Contact + " " + s.bureau.Phone
	}
	iv := &Interview{
		ID: newInterviewID(now), Enterprises: codes, Reason: reason, Reasons: in.Reasons, LegalBasis: basis,
		StartsAt: start, EndsAt: start.Add(time.Duration(duration) * time.Minute), DurationMinutes: duration,
		Room: room, VideoLink: link, Departments: depts, Officials: officials, Attendees: attendees,
		Materials: trimAll(in.Materials), Contact: contact, State: StateScheduled,
		History: []Step{{State: StateScheduled, At: now, By: actor.Username}},
		Version: 1, CreatedAt: now, CreatedBy: actor.Username, UpdatedAt: now,
	}
	return iv, fe
}

func parseEnterprises(in []string) ([]registry.USCC, []errs.FieldError) {
	var fe []errs.FieldError
	if len(in) == 0 {
		return nil, []errs.FieldError{field("enterprises", "至少约谈一家企业 (name at least one enterprise)")}
	}
	if len(in) > MaxCollective {
		return nil, []errs.FieldError{field("enterprises", fmt.Sprintf(
			"集体约谈至多%d家企业 (a collective interview has at most %d enterprises)", MaxCollective, MaxCollective))}
	}
	codes := make([]registry.USCC, 0, len(in))
	for i, raw := range in {
		c, err := registry.ParseUSCC(raw)
		if err != nil {
			fe = append(fe, field(fmt.Sprintf("enterprises[%d]", i), err.Error()))
			continue
		}
		if slices.Contains(codes, c) {
			fe = append(fe, field(fmt.Sprintf("enterprises[%d]", i), "企业重复："+string(c)+" (listed twice)"))
			continue
		}
		codes = append(codes, c)
	}
	return codes, fe
}

// checkTime applies the timing rules: in the future, on a working day by the official
// calendar, within working hours, and 15 minutes to 8 hours long, so never across days.
func (s *Service) checkTime(start time.Time, minutes int, now time.Time) []errs.FieldError {
	if start.IsZero() {
		return []errs.FieldError{field("starts_at", "须填写开始时间 (give the start time)")}
	}
	var fe []errs.FieldError
	switch {
	case minutes <= 0:
		fe = append(fe, field("duration_minutes", "结束时间须晚于开始时间 (the interview ends before it starts)"))
	case minutes < MinDurationMinutes:
		fe = append(fe, field("duration_minutes", fmt.Sprintf("约谈时长至少%d分钟 (at least %d minutes)",
			MinDurationMinutes, MinDurationMinutes)))
	case minutes > MaxDurationMinutes:
		fe = append(fe,
			field("duration_minutes", fmt.Sprintf("约谈时长至多%d分钟，不得跨天 (at most %d minutes, within one day)",
				MaxDurationMinutes, MaxDurationMinutes)))
	}
	if !start.After(now) {
		fe = append(fe, field("starts_at", "开始时间须在当前时间之后 (the start time has passed)"))
	}
	if msg := s.notWorkday(start); msg != "" {
		fe = append(fe, field("starts_at", msg))
	} else if minutes > 0 && !s.withinHours(start, minutes) {
		fe = append(fe, field("starts_at", fmt.Sprintf("约谈须在工作时间 %s–%s 内 (outside working hours %s–%s)",
			clockOf(s.hours.Start), clockOf(s.hours.End), clockOf(s.hours.Start), clockOf(s.hours.End))))
	}
	return fe
}

// notWorkday says why t's day is not a working day, or "" when it is.
func (s *Service) notWorkday(t time.Time) string {
	if s.calendar.IsWorkday(t) {
		return ""
	}
	day := t.In(workday.Zone).Format(time.DateOnly)
	if name, ok := s.calendar.Holiday(t); ok {
		return fmt.Sprintf("%s 是%s假期，不是工作日 (%s is a public holiday: %s)", day, name, day, name)
	}
	wd := t.In(workday.Zone).Weekday()
	return fmt.Sprintf("%s 是%s，不是工作日 (%s is a %s)", day, weekdayNames[wd], day, wd)
}

var weekdayNames = [...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}

// withinHours says whether an interview starting at start and lasting minutes lies within the
// bureau's working hours of that day.
func (s *Service) withinHours(start time.Time, minutes int) bool {
	local := start.In(workday.Zone)
	end := local.Add(time.Duration(minutes) * time.Minute)
	if end.YearDay() != local.YearDay() {
		return false
	}
	endMinute := end.Hour()*60 + end.Minute()
	if end.Second() != 0 || end.Nanosecond() != 0 {
		endMinute++ // part of a minute past the end is past the end
	}
	return local.Hour()*60+local.Minute() >= s.hours.Start && endMinute <= s.hours.End
}

func clockOf(minutes int) string { return fmt.Sprintf("%02d:%02d", minutes/60, minutes%60) }

func checkPlace(room, link string) []errs.FieldError {
	var fe []errs.FieldError
	if room == "" && link == "" {
		fe = append(fe, field("room", "须指定约谈室或视频会议链接 (give a room or a video link)"))
	}
	if len([]rune(room)) > 100 {
		fe = append(fe, field("room", "约谈室名称不超过100字 (room name is at most 100 characters)"))
	}
	if link != "" {
		u, err := url.Parse(link)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			fe = append(fe,
				field("video_link", "视频会议链接须为 http(s) 网址 (the video link must be an http(s) URL)"))
		}
	}
	return fe
}

// checkDepartments checks the departments taking part; the market regulation bureau leads
// every interview and is always among them, first.
func checkDepartments(in []Department) ([]Department, []errs.FieldError) {
	var fe []errs.FieldError
	out := []Department{"market"}
	for i, d := range in {
		if !d.Valid() {
			fe = append(fe,
				field(fmt.Sprintf("departments[%d]", i), fmt.Sprintf("未知部门 %q (unknown department)", d)))
			continue
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out, fe
}

// checkAttendees checks who the enterprise must send; by default its legal representative.
func checkAttendees(in []Attendee) ([]Attendee, []errs.FieldError) {
	if len(in) == 0 {
		return []Attendee{{Role: AttendeeLegalRepresentative}}, nil
	}
	var fe []errs.FieldError
	out := make([]Attendee, 0, len(in))
	for i, a := range in {
		if !a.Role.Valid() {
			fe = append(fe,
				field(fmt.Sprintf("attendees[%d].role", i), fmt.Sprintf("未知身份 %q (unknown role)", a.Role)))
		}
		out = append(out, Attendee{Role: a.Role, Name: strings.TrimSpace(a.Name)})
	}
	return out, fe
}

func dedupe(in []string) []string {
	out := []string{}
	for _, v := range in {
		v = strings.TrimSpace(v)
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func trimAll(in []string) []string {
	out := []string{}
	for _, v := range in {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// checkParties looks up the enterprises and officials: every enterprise must be on file and
// every official on file and active. It returns the officials by id.
func (s *Service) checkParties(
	ctx context.Context,
	codes []registry.USCC,
	officialIDs []string,
) (map[string]Official, []errs.FieldError, error) {
	_, missing, err := s.registry.EnterprisesByUSCC(ctx, codes)
	if err != nil {
		return nil, nil, err
	}
	var fe []errs.FieldError
	for _, c := range missing {
		fe = append(fe, field("enterprises", "没有这家企业："+string(c)+" (no such enterprise)"))
	}
	officials, ofe, err := s.checkOfficials(ctx, officialIDs)
	if err != nil {
		return nil, nil, err
	}
	return officials, append(fe, ofe...), nil
}

// checkOfficials reads the officials with one query and refuses the unknown and inactive ones.
func (s *Service) checkOfficials(ctx context.Context, ids []string) (map[string]Official, []errs.FieldError, error) {
	found, err := s.store.OfficialsByID(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	byID := make(map[string]Official, len(found))
	for _, o := range found {
		byID[o.ID] = o
	}
	var fe []errs.FieldError
	for _, id := range ids {
		o, ok := byID[id]
		switch {
		case !ok:
			fe = append(fe, field("officials", "没有这位工作人员："+id+" (no such official)"))
		case !o.Active:
			fe = append(fe,
				field("officials", fmt.Sprintf("工作人员 %s（%s）已停用 (official %s is inactive)", o.Name, id, id)))
		}
	}
	return byID, fe, nil
}

// Interview returns the interview with id.
func (s *Service) Interview(ctx context.Context, id string) (*Interview, error) {
	return s.store.GetInterview(ctx, id)
}

// ListInterviews returns the interviews q selects, by start time, for a calendar view; at
// most 1000, 200 unless q says.
func (s *Service) ListInterviews(ctx context.Context, q InterviewQuery) ([]Interview, error) {
	if q.Limit <= 0 {
		q.Limit = 200
	}
	q.Limit = min(q.Limit, 1000)
	q.Room = strings.TrimSpace(q.Room)
	if q.From.After(q.To) && !q.To.IsZero() {
		return nil, errs.Fields("enforcement.ListInterviews", field("to", "结束日期早于开始日期 (to is before from)"))
	}
	return s.store.ListInterviews(ctx, q)
}

// InterviewsOf returns an enterprise's interviews, the latest first; at most limit, 20
// unless said.
func (s *Service) InterviewsOf(ctx context.Context, uscc registry.USCC, limit int) ([]Interview, error) {
	if limit <= 0 || limit > 500 {
		limit = 20
	}
	return s.store.InterviewsOf(ctx, uscc, limit)
}

// ivStep is a change a rule allowed: the note that goes into the history, and what the audit
// record adds to the from and to states.
type ivStep struct {
	note   string
	detail map[string]any
}

// changeInterview changes interview id if it is still at version ifMatch (If-Match): under
// the interview's lock (and the scheduling lock when the change moves it), it reads the
// interview, lets step check the rules and change it, appends the step to its history, writes
// it back guarded by its version and records the change. Nothing is written when step refuses.
func (s *Service) changeInterview(
	ctx context.Context,
	actor audit.Actor,
	op, verb, id string,
	ifMatch int64,
	schedules bool,
	step func(iv *Interview, now time.Time) (ivStep, error),
) (*Interview, error) {
	keys := []string{id}
	if schedules {
		keys = append(keys, scheduleLock)
	}
	// One call for both locks: they may share a stripe, and a stripe is not re-entrant.
	defer store.LockDocuments(InterviewsCollection, keys)()

	iv, err := s.store.GetInterview(ctx, id)
	if err != nil {
		return nil, err
	}
	if iv.Version != ifMatch {
		return nil, errs.E(errs.Stale, op,
			fmt.Sprintf("约谈已被他人修改（当前版本 %d，您读取的是版本 %d），请刷新后重试 "+
				"(the interview is at version %d, not %d)", iv.Version, ifMatch, iv.Version, ifMatch))
	}
	now := s.clock()
	from := iv.State
	done, err := step(iv, now)
	if err != nil {
		return nil, err
	}
	iv.History = append(iv.History, Step{State: iv.State, At: now, By: actor.Username, Note: done.note})
	iv.Version++
	iv.UpdatedAt = now
	if err := s.store.ReplaceInterview(ctx, iv); err != nil {
		return nil, err
	}

	change := map[string]any{"from": from, "to": iv.State}
	if done.note != "" {
		change["note"] = done.note
	}
	for k, v := range done.detail {
		change[k] = v
	}
	_, err = s.audit.Append(ctx, audit.Entry{
		Actor: actor, Action: "interview." + verb, Target: iv.target(), Version: iv.Version, Change: change,
	})
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return iv, nil
}

// expect refuses a change unless iv is in one of states, saying where it stands.
func (iv *Interview) expect(op, rule string, states ...State) error {
	if slices.Contains(states, iv.State) {
		return nil
	}
	return errs.E(errs.Conflict, op,
		fmt.Sprintf("%s；本次约谈当前状态为“%s” (interview is %s)", rule, iv.State.Label(), iv.State))
}

// notBeforeStart refuses recording what happened at an interview before it was due to start.
func (iv *Interview) notBeforeStart(op string, now time.Time) error {
	if now.Before(iv.StartsAt) {
		return errs.E(errs.Conflict, op,
			fmt.Sprintf("约谈尚未开始（%s），不能登记结果 (the interview has not started yet)",
				iv.StartsAt.In(workday.Zone).Format("2006-01-02 15:04")))
	}
	return nil
}

func checkText(op, name, text string, required bool, what string) (string, error) {
	text = strings.TrimSpace(text)
	if required && text == "" {
		return "", errs.Fields(op, field(name, what))
	}
	if len([]rune(text)) > 2000 {
		return "", errs.Fields(op, field(name, "不超过2000字 (at most 2000 characters)"))
	}
	return text, nil
}

// NotifyInterview records that the notice reached the enterprise(s). A rescheduled interview
// is back to scheduled and must be notified again.
func (s *Service) NotifyInterview(
	ctx context.Context,
	actor audit.Actor,
	id string,
	ifMatch int64,
	note string,
) (*Interview, error) {
	const op = "enforcement.NotifyInterview"
	note, err := checkText(op, "note", note, false, "")
	if err != nil {
		return nil, err
	}
	return s.changeInterview(ctx, actor, op, "notify", id, ifMatch, false,
		func(iv *Interview, now time.Time) (ivStep, error) {
			if err := iv.expect(op,
				"只有已安排、尚未通知的约谈可以登记通知 (only a scheduled interview can be notified)",
				StateScheduled); err != nil {
				return ivStep{}, err
			}
			if !now.Before(iv.StartsAt) {
				return ivStep{}, errs.E(errs.Conflict, op,
					"约谈时间已过，请先改期 (the interview time has passed; reschedule it)")
			}
			iv.State = StateNotified
			return ivStep{note: note}, nil
		})
}

// RescheduleInterview moves a scheduled or notified interview to a new time, place or panel
// of officials. It moves only this interview, puts it back to scheduled, since the enterprise
// must be notified of the change, and raises its iCalendar sequence. The new time and panel
// pass the same checks as a new interview.
func (s *Service) RescheduleInterview(
	ctx context.Context,
	actor audit.Actor,
	id string,
	ifMatch int64,
	in RescheduleInput,
) (*Interview, error) {
	const op = "enforcement.RescheduleInterview"
	note, err := checkText(op, "note", in.Note, false, "")
	if err != nil {
		return nil, err
	}
	iv, err := s.changeInterview(ctx, actor, op, "reschedule", id, ifMatch, true,
		func(iv *Interview, now time.Time) (ivStep, error) {
			if err := iv.expect(op,
				"只有已安排或已通知的约谈可以改期 (only a scheduled or notified interview can be rescheduled)",
				StateScheduled, StateNotified); err != nil {
				return ivStep{}, err
			}
			before := map[string]any{"starts_at": iv.StartsAt, "ends_at": iv.EndsAt, "room": iv.Room,
				"video_link": iv.VideoLink, "officials": iv.Officials}
			if err := s.move(ctx, op, iv, in, now); err != nil {
				return ivStep{}, err
			}
			iv.State = StateScheduled
			iv.Sequence++
			after := map[string]any{"starts_at": iv.StartsAt, "ends_at": iv.EndsAt, "room": iv.Room,
				"video_link": iv.VideoLink, "officials": iv.Officials}
			return ivStep{note: note,
				detail: map[string]any{"before": before, "after": after, "sequence": iv.Sequence}}, nil
		})
	return iv, err
}

// move applies a reschedule to iv and checks the result as a new interview's time, place and
// officials are checked, clashes included. The caller holds the scheduling lock.
func (s *Service) move(ctx context.Context, op string, iv *Interview, in RescheduleInput, now time.Time) error {
	if !in.StartsAt.IsZero() {
		iv.StartsAt = in.StartsAt.UTC().Truncate(time.Millisecond)
	}
	if in.DurationMinutes != 0 {
		iv.DurationMinutes = in.DurationMinutes
	}
	if in.Room != nil || in.VideoLink != nil {
		iv.Room, iv.VideoLink = "", ""
		if in.Room != nil {
			iv.Room = strings.TrimSpace(*in.Room)
		}
		if in.VideoLink != nil {
			iv.VideoLink = strings.TrimSpace(*in.VideoLink)
		}
	}
	if in.Officials != nil {
		iv.Officials = dedupe(in.Officials)
	}
	iv.EndsAt = iv.StartsAt.Add(time.Duration(iv.DurationMinutes) * time.Minute)

	fe := s.checkTime(iv.StartsAt, iv.DurationMinutes, now)
	fe = append(fe, checkPlace(iv.Room, iv.VideoLink)...)
	if len(iv.Officials) == 0 {
		fe = append(fe, field("officials", "至少指定一名约谈人员 (name at least one official)"))
	}
	if len(fe) > 0 {
		return errs.Fields(op, fe...)
	}
	officials, fe, err := s.checkOfficials(ctx, iv.Officials)
	if err != nil {
		return err
	}
	if len(fe) > 0 {
		return errs.Fields(op, fe...)
	}
	active, err := s.store.ActiveInterviews(ctx, iv.StartsAt, iv.EndsAt)
	if err != nil {
		return err
	}
	return clashOf(op, iv, newBusy(active), officials)
}

// CancelInterview calls off a scheduled or notified interview; the reason is required and goes
// on record. It frees the room and the officials and raises the iCalendar sequence, so that a
// calendar removes the event.
func (s *Service) CancelInterview(
	ctx context.Context,
	actor audit.Actor,
	id string,
	ifMatch int64,
	reason string,
) (*Interview, error) {
	const op = "enforcement.CancelInterview"
	reason, err := checkText(op, "reason", reason, true, "取消约谈须写明原因 (give the reason for cancelling)")
	if err != nil {
		return nil, err
	}
	return s.changeInterview(ctx, actor, op, "cancel", id, ifMatch, false,
		func(iv *Interview, _ time.Time) (ivStep, error) {
			if err := iv.expect(op,
				"只有已安排或已通知的约谈可以取消 (only a scheduled or notified interview can be cancelled)",
				StateScheduled, StateNotified); err != nil {
				return ivStep{}, err
			}
			iv.State = StateCancelled
			iv.Outcome = reason
			iv.Sequence++
			return ivStep{note: reason, detail: map[string]any{"sequence": iv.Sequence}}, nil
		})
}

// HoldInterview records that a notified interview took place, with what came of it. It cannot
// be recorded before the interview's start time.
func (s *Service) HoldInterview(
	ctx context.Context,
	actor audit.Actor,
	id string,
	ifMatch int64,
	outcome string,
) (*Interview, error) {
	const op = "enforcement.HoldInterview"
	outcome, err := checkText(op, "outcome", outcome, false, "")
	if err != nil {
		return nil, err
	}
	return s.changeInterview(ctx, actor, op, "hold", id, ifMatch, false,
		func(iv *Interview, now time.Time) (ivStep, error) {
			if err := iv.expect(op, "只有已通知的约谈可以登记为已约谈 (only a notified interview can be held)",
				StateNotified); err != nil {
				return ivStep{}, err
			}
			if err := iv.notBeforeStart(op, now); err != nil {
				return ivStep{}, err
			}
			iv.State = StateHeld
			iv.Outcome = outcome
			return ivStep{note: outcome}, nil
		})
}

// RecordNoShow records that the enterprise did not come to a notified interview. It cannot be
// recorded before the start time. A no-show is a risk factor: the enterprise is re-scored.
func (s *Service) RecordNoShow(
	ctx context.Context,
	actor audit.Actor,
	id string,
	ifMatch int64,
	note string,
) (*Interview, error) {
	const op = "enforcement.RecordNoShow"
	note, err := checkText(op, "note", note, false, "")
	if err != nil {
		return nil, err
	}
	iv, err := s.changeInterview(ctx, actor, op, "no_show", id, ifMatch, false,
		func(iv *Interview, now time.Time) (ivStep, error) {
			if err := iv.expect(op, "只有已通知的约谈可以登记未到场 (only a notified interview can be a no-show)",
				StateNotified); err != nil {
				return ivStep{}, err
			}
			if err := iv.notBeforeStart(op, now); err != nil {
				return ivStep{}, err
			}
			iv.State = StateNoShow
			iv.Outcome = "未到场"
			return ivStep{note: note}, nil
		})
	if err != nil {
		return nil, err
	}
	return iv, s.rescore(ctx, op, iv)
}

// RequireRectification records what the enterprise committed to at a held interview and the
// deadline for it, which must be after now.
func (s *Service) RequireRectification(
	ctx context.Context,
	actor audit.Actor,
	id string,
	ifMatch int64,
	in RectificationInput,
) (*Interview, error) {
	const op = "enforcement.RequireRectification"
	commitments := trimAll(in.Commitments)
	var fe []errs.FieldError
	if len(commitments) == 0 {
		fe = append(fe, field("commitments", "须写明企业的整改承诺 (give the enterprise's commitments)"))
	}
	deadline := in.Deadline.UTC().Truncate(time.Millisecond)
	if !deadline.After(s.clock()) {
		fe = append(fe, field("deadline", "整改期限须在当前时间之后 (the deadline must be in the future)"))
	}
	note, err := checkText(op, "note", in.Note, false, "")
	if err != nil {
		return nil, err
	}
	if len(fe) > 0 {
		return nil, errs.Fields(op, fe...)
	}
	return s.changeInterview(ctx, actor, op, "require_rectification", id, ifMatch, false,
		func(iv *Interview, _ time.Time) (ivStep, error) {
			if err := iv.expect(op, "只有已约谈的企业可以责令整改 (only a held interview can lead to rectification)",
				StateHeld); err != nil {
				return ivStep{}, err
			}
			iv.State = StateRectificationDue
			iv.Rectification = &Rectification{Commitments: commitments, Deadline: deadline}
			return ivStep{note: note, detail: map[string]any{"commitments": commitments, "deadline": deadline}}, nil
		})
}

// CheckRectification records a regulator's check of the commitments: rectified, at any time, or
// not rectified, only once the deadline has passed. Either outcome re-scores the enterprise.
func (s *Service) CheckRectification(
	ctx context.Context,
	actor audit.Actor,
	id string,
	ifMatch int64,
	rectified bool,
	finding string,
) (*Interview, error) {
	const op = "enforcement.CheckRectification"
	finding, err := checkText(op, "finding", finding, !rectified,
		"未整改须写明核查情况 (describe what the check found)")
	if err != nil {
		return nil, err
	}
	iv, err := s.changeInterview(ctx, actor, op, "check_rectification", id, ifMatch, false,
		func(iv *Interview, now time.Time) (ivStep, error) {
			if err := iv.expect(op,
				"只有整改中的约谈可以核查整改 (only an interview awaiting rectification can be checked)",
				StateRectificationDue); err != nil {
				return ivStep{}, err
			}
			r := iv.Rectification
			if !rectified && !now.After(r.Deadline) {
				return ivStep{}, errs.E(errs.Conflict, op, fmt.Sprintf("整改期限（%s）未到，不能认定未整改 "+
					"(the deadline has not passed)", r.Deadline.In(workday.Zone).Format("2006-01-02 15:04")))
			}
			iv.State = StateNotRectified
			if rectified {
				iv.State = StateRectified
			}
			r.CheckedAt, r.CheckedBy, r.Finding = &now, actor.Username, finding
			return ivStep{note: finding, detail: map[string]any{"rectified": rectified}}, nil
		})
	if err != nil {
		return nil, err
	}
	return iv, s.rescore(ctx, op, iv)
}

// rescore asks the registry to score the interview's enterprises afresh: no-shows and unmet
// rectifications are risk factors.
func (s *Service) rescore(ctx context.Context, op string, iv *Interview) error {
	if _, err := s.registry.Rescore(ctx, iv.Enterprises); err != nil {
		return errs.Wrap(errs.KindOf(err), op+": rescore", err)
	}
	return nil
}
