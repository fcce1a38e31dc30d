package api

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/enforcement"
	"prepaidreg/internal/workday"
	"prepaidreg/registry"
)

func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, workday.Zone)
	require.NoError(t, err)
	return v
}

func calendarInterviews(t *testing.T) []enforcement.Interview {
	iv := func(id, start, room string, officials ...string) enforcement.Interview {
		s := at(t, start)
		return enforcement.Interview{ID: id, StartsAt: s.UTC(), EndsAt: s.Add(time.Hour).UTC(), Room: room,
			Officials: officials, Enterprises: []registry.USCC{"E-" + registry.USCC(id)}, State: enforcement.StateScheduled}
	}
	return []enforcement.Interview{
		iv("B", "2026-09-28 10:00", "第一约谈室", "OF-1"),
		iv("A", "2026-09-28 09:00", "第一约谈室", "OF-1", "OF-2"),
		iv("C", "2026-10-09 09:00", "", "OF-2"),
		iv("D", "2026-09-24 14:00", "第二约谈室", "OF-2"),
	}
}

func TestBuildCalendar_Week(t *testing.T) {
	names := map[string]string{"E-A": "甲健身", "E-B": "乙美容"}
	officials := map[string]string{"OF-1": "王力", "OF-2": "李娜"}
	// The week of Thursday 2026-09-24: Monday 9-21 to Sunday 9-27, 中秋节 from Friday.
	v := buildCalendar(spanWeek, byRoom, at(t, "2026-09-24 12:00"), at(t, "2026-09-21 08:00"),
		calendarInterviews(t), names, officials, workday.Default())
	require.Len(t, v.Days, 7)
	assert.Equal(t, "9月21日 周一", v.Days[0].Label)
	assert.True(t, v.Days[0].Today)
	assert.Equal(t, "中秋节", v.Days[4].Holiday)
	assert.False(t, v.Days[4].Workday)
	require.Len(t, v.Rows, 1, "only room 2 has an interview this week")
	assert.Equal(t, "第二约谈室", v.Rows[0].Label)
	require.Len(t, v.Rows[0].Cells[3], 1)
	assert.Equal(t, "14:00–15:00", v.Rows[0].Cells[3][0].Time)

	// The next week by official: A and B in order under 王力, A under 李娜 too.
	v = buildCalendar(spanWeek, byOfficial, at(t, "2026-09-28 12:00"), at(t, "2026-09-21 08:00"),
		calendarInterviews(t), names, officials, workday.Default())
	require.Len(t, v.Rows, 2)
	labels := []string{v.Rows[0].Label, v.Rows[1].Label}
	assert.ElementsMatch(t, []string{"王力", "李娜"}, labels)
	for _, r := range v.Rows {
		if r.Label == "王力" {
			require.Len(t, r.Cells[0], 2)
			assert.Equal(t, "甲健身", r.Cells[0][0].Title, "entries in time order")
			assert.Equal(t, "乙美容", r.Cells[0][1].Title)
		}
	}
	assert.Equal(t, "2026-09-21", v.Prev.Format(time.DateOnly))
	assert.Equal(t, "2026-10-05", v.Next.Format(time.DateOnly))
}

func TestBuildCalendar_Month(t *testing.T) {
	v := buildCalendar(spanMonth, byRoom, at(t, "2026-10-15 12:00"), at(t, "2026-10-15 08:00"),
		calendarInterviews(t), nil, nil, workday.Default())
	// October 2026 starts on a Thursday and ends on a Saturday: five whole weeks from 9-28.
	require.Len(t, v.Weeks, 5)
	assert.Equal(t, "2026-09-28", v.Weeks[0].Days[0].Date.Format(time.DateOnly))
	assert.False(t, v.Weeks[0].Days[0].InMonth)
	assert.Len(t, v.Weeks[0].Cells[0], 2, "A and B on Monday 9-28")
	// 10-09 is the Friday of the second week; 10-10 a working Saturday.
	require.Len(t, v.Weeks[1].Cells[4], 1)
	assert.Equal(t, "视频约谈", rowKeys(calendarInterviews(t)[2], byRoom)[0])
	assert.True(t, v.Weeks[1].Days[5].Workday, "2026-10-10 is an adjusted working Saturday")
	assert.Equal(t, "国庆节", v.Weeks[0].Days[3].Holiday)
}

func TestBuildCalendar_MonthStepsFromTheFirst(t *testing.T) {
	v := buildCalendar(spanMonth, byRoom, at(t, "2026-03-31 12:00"), at(t, "2026-03-31 08:00"),
		nil, nil, nil, workday.Default())
	assert.Equal(t, "2026-02-01", v.Prev.Format(time.DateOnly), "not 3 March")
	assert.Equal(t, "2026-04-01", v.Next.Format(time.DateOnly), "not 1 May")
}

func TestBuildCalendar_AdjustedWorkingDay(t *testing.T) {
	v := buildCalendar(spanWeek, byRoom, at(t, "2026-10-10 12:00"), at(t, "2026-10-10 08:00"),
		nil, nil, nil, workday.Default())
	sat := v.Days[5]
	assert.Equal(t, "2026-10-10", sat.Key)
	assert.True(t, sat.Adjusted, "2026-10-10 is a working Saturday")
	assert.False(t, v.Days[6].Adjusted, "Sunday 10-11 is a day off")
	assert.False(t, v.Days[0].Adjusted, "a Monday is a working day, not an adjusted one")
}
