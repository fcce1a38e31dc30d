package workday_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/store/storetest"
	"prepaidreg/internal/workday"
)

var admin = audit.Actor{Username: "root", Role: "admin", Via: "api"}

// with2027 is the shipped file plus a 2027 year as an administrator would add it.
func with2027(t *testing.T) []byte {
	t.Helper()
	d := workday.Default().Data()
	d.Years = append(d.Years, workday.Year{Year: 2027, Notice: "test notice",
		Holidays: []workday.Holiday{{Name: "元旦", From: "2027-01-01", To: "2027-01-03"}}})
	b, err := json.Marshal(d)
	require.NoError(t, err)
	return b
}

func TestKeeper_PutStoresChecksAndAudits(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	log := audit.NewLog(db)
	k := workday.NewKeeper(workday.Default(), db, log)
	friday := time.Date(2027, 1, 1, 9, 0, 0, 0, workday.Zone)
	require.True(t, k.Calendar().IsWorkday(friday), "without 2027 data a Friday is a working day")

	t.Run("invalid file changes nothing", func(t *testing.T) {
		_, err := k.Put(ctx, admin, 0, []byte(`{"years":[{"year":2027,"workdays":[{"name":"x","date":"2027-01-05"}]}]}`))
		assert.True(t, errs.Is(err, errs.Invalid), "got %v", err)
		_, err = k.Put(ctx, admin, 0, []byte(`{"years":[]}`)) // leaves out 2025 and 2026
		assert.True(t, errs.Is(err, errs.Invalid), "got %v", err)
		assert.Contains(t, errs.MessageOf(err)+fieldsText(err), "2025")
		set, err := k.Setting(ctx)
		require.NoError(t, err)
		assert.Zero(t, set.Version)
	})

	set, err := k.Put(ctx, admin, 0, with2027(t))
	require.NoError(t, err)
	assert.EqualValues(t, 1, set.Version)
	assert.False(t, k.Calendar().IsWorkday(friday), "2027-01-01 is 元旦 once the file is stored")

	_, err = k.Put(ctx, admin, 0, with2027(t))
	assert.True(t, errs.Is(err, errs.Stale), "a stale version must be refused, got %v", err)

	// A fresh keeper, as in another instance or after a restart, loads the stored file.
	again := workday.NewKeeper(workday.Default(), db, log)
	require.NoError(t, again.Load(ctx))
	assert.False(t, again.Calendar().IsWorkday(friday))
	assert.Equal(t, []int{2025, 2026, 2027}, again.Calendar().Years())

	rep, err := log.Verify(ctx)
	require.NoError(t, err)
	assert.True(t, rep.OK(), "%v", rep.Problems)
	assert.EqualValues(t, 1, rep.Records)
}

func fieldsText(err error) string {
	var s string
	for _, f := range errs.FieldsOf(err) {
		s += f.Field + ": " + f.Message + "\n"
	}
	return s
}
