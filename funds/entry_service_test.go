package funds

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
)

func TestService_PostEntry(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.account(t)

	f.post(t, a.ID, "sale-1", EntrySale, 1_000_000)
	f.post(t, a.ID, "dep-1", EntryDeposit, 500_000)
	f.post(t, a.ID, "int-1", EntryInterest, 1_234)
	f.post(t, a.ID, "rel-1", EntryRelease, 100_000)
	e := f.post(t, a.ID, "ref-1", EntryRefund, 50_000)
	assert.Equal(t, a.ID+":ref-1", e.ID)
	assert.EqualValues(t, 5, e.Seq)
	assert.Equal(t, "CNY", e.Currency)
	assert.Equal(t, f.now.UTC(), e.OccurredAt, "occurred_at defaults to now")

	got := f.get(t, a.ID)
	assert.EqualValues(t, 500_000+1_234-100_000-50_000, got.HeldFen)
	assert.EqualValues(t, 1_000_000-100_000-50_000, got.OutstandingFen)
	assert.EqualValues(t, 100_000, got.ReleasedFen)
	assert.EqualValues(t, 340_000, got.RequiredFen)
	assert.InDelta(t, float64(351_234)/340_000, *got.Coverage, 1e-4)
	assert.EqualValues(t, 5, got.AppliedSeq)
	assert.EqualValues(t, 6, got.Version, "opened, then one version per entry")

	entries, err := f.svc.Entries(ctx, a.ID, 2, 2)
	require.NoError(t, err)
	require.Len(t, entries, 2)
	assert.Equal(t, []EntryType{EntryInterest, EntryRelease}, []EntryType{entries[0].Type, entries[1].Type})
	verifyTrail(t, f.log)
}

func TestService_PostEntryIdempotent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.account(t)
	in := EntryInput{Type: EntryDeposit, AmountFen: 80_000, Reference: "回单 001",
		OccurredAt: f.now.Add(-time.Hour)}

	first, replayed, err := f.svc.PostEntry(ctx, officer, a.ID, "k-1", in)
	require.NoError(t, err)
	assert.False(t, replayed)
	before := f.written(t, a.ID)

	again, replayed, err := f.svc.PostEntry(ctx, officer, a.ID, "k-1", in)
	require.NoError(t, err)
	assert.True(t, replayed)
	assert.Equal(t, first.ID, again.ID)
	assert.Equal(t, first.Seq, again.Seq)
	assert.Equal(t, before, f.written(t, a.ID), "a replay writes nothing")

	t.Run("after a restart", func(t *testing.T) {
		restarted := fixtureOn(t, f.db)
		restarted.now = f.now.Add(24 * time.Hour)
		in := in
		in.Currency = "cny" // the same body as sent before, written otherwise
		got, replayed, err := restarted.svc.PostEntry(ctx, officer, a.ID, "k-1", in)
		require.NoError(t, err)
		assert.True(t, replayed)
		assert.Equal(t, first.ID, got.ID)
		assert.Equal(t, before, f.written(t, a.ID))
	})

	t.Run("the same key with another body", func(t *testing.T) {
		other := in
		other.AmountFen = 80_001
		_, _, err := f.svc.PostEntry(ctx, officer, a.ID, "k-1", other)
		requireKind(t, err, errs.Conflict)
		assert.Contains(t, err.Error(), "this Idempotency-Key was used with a different entry")
		assert.Equal(t, before, f.written(t, a.ID))
	})

	t.Run("the same key on another account is another entry", func(t *testing.T) {
		b := f.account(t)
		e, replayed, err := f.svc.PostEntry(ctx, officer, b.ID, "k-1", in)
		require.NoError(t, err)
		assert.False(t, replayed)
		assert.Equal(t, b.ID+":k-1", e.ID)
	})
	verifyTrail(t, f.log)
}

func TestService_PostEntryRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.account(t)
	f.post(t, a.ID, "sale", EntrySale, 1_000_000) // 10,000 yuan outstanding: 4,000 required
	f.post(t, a.ID, "dep", EntryDeposit, 500_000) // 5,000 yuan held
	fix := f.post(t, a.ID, "interest", EntryInterest, 100)
	fixed, _, err := f.svc.PostEntry(ctx, officer, a.ID, "fix", EntryInput{Type: EntryCorrection, Corrects: fix.ID})
	require.NoError(t, err)
	f.post(t, a.ID, "release", EntryRelease, 10_000) // 4,900 yuan held, 9,900 outstanding

	tests := []struct {
		name  string
		key   string
		in    EntryInput
		kind  errs.Kind
		field string // for Invalid
		text  string // part of the message
	}{
		{name: "negative amount", in: EntryInput{Type: EntryDeposit, AmountFen: -1}, kind: errs.Invalid,
			field: "amount_fen"},
		{name: "zero amount", in: EntryInput{Type: EntryDeposit}, kind: errs.Invalid, field: "amount_fen"},
		{name: "over 10^13 fen", in: EntryInput{Type: EntrySale, AmountFen: MaxAmountFen + 1}, kind: errs.Invalid,
			field: "amount_fen"},
		{name: "another currency", in: EntryInput{Type: EntryDeposit, AmountFen: 1, Currency: "USD"},
			kind: errs.Invalid, field: "currency"},
		{name: "unknown type", in: EntryInput{Type: "withdrawal", AmountFen: 1}, kind: errs.Invalid, field: "type"},
		{name: "in the future", in: EntryInput{Type: EntryDeposit, AmountFen: 1, OccurredAt: f.now.Add(time.Minute)},
			kind: errs.Invalid, field: "occurred_at"},
		{name: "no key", key: "-", in: EntryInput{Type: EntryDeposit, AmountFen: 1}, kind: errs.Invalid,
			field: "idempotency_key"},
		{name: "key too long", key: strings.Repeat("k", 101), in: EntryInput{Type: EntryDeposit, AmountFen: 1},
			kind: errs.Invalid, field: "idempotency_key"},
		{name: "key not ASCII", key: "键", in: EntryInput{Type: EntryDeposit, AmountFen: 1}, kind: errs.Invalid,
			field: "idempotency_key"},
		{name: "key with a control character", key: "a\nb", in: EntryInput{Type: EntryDeposit, AmountFen: 1},
			kind: errs.Invalid, field: "idempotency_key"},
		{name: "corrects on a deposit", in: EntryInput{Type: EntryDeposit, AmountFen: 1, Corrects: fix.ID},
			kind: errs.Invalid, field: "corrects"},
		{name: "correction without corrects", in: EntryInput{Type: EntryCorrection}, kind: errs.Invalid,
			field: "corrects"},
		{name: "correction of a missing entry", in: EntryInput{Type: EntryCorrection, Corrects: a.ID + ":nothing"},
			kind: errs.Invalid, field: "corrects"},
		{name: "correction of a correction", in: EntryInput{Type: EntryCorrection, Corrects: fixed.ID},
			kind: errs.Invalid, field: "corrects"},
		{name: "correction of a corrected entry", in: EntryInput{Type: EntryCorrection, Corrects: fix.ID},
			kind: errs.Invalid, field: "corrects"},
		{name: "correction with another amount", in: EntryInput{Type: EntryCorrection, Corrects: a.ID + ":dep", AmountFen: 1},
			kind: errs.Invalid, field: "amount_fen"},
		{name: "refund larger than held", in: EntryInput{Type: EntryRefund, AmountFen: 500_001}, kind: errs.Conflict,
			text: "超过存管余额 4,900.00 元"},
		{name: "release larger than held", in: EntryInput{Type: EntryRelease, AmountFen: 600_000}, kind: errs.Conflict,
			text: "超过存管余额"},
		{name: "release below the requirement", in: EntryInput{Type: EntryRelease, AmountFen: 200_000},
			kind: errs.Conflict,
			text: "held 4,900.00 yuan, release 2,000.00, held after 2,900.00, required 3,160.00"},
		{name: "correction taking outstanding below zero", in: EntryInput{Type: EntryCorrection, Corrects: a.ID + ":sale"},
			kind: errs.Conflict, text: "未兑付预收余额将为负数"},
		{name: "correction taking held below zero", in: EntryInput{Type: EntryCorrection, Corrects: a.ID + ":dep"},
			kind: errs.Conflict, text: "更正后余额将为负数"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.written(t, a.ID)
			key := tt.key
			switch key {
			case "":
				key = "refused-" + strings.ReplaceAll(tt.name, " ", "-")
			case "-":
				key = ""
			}
			_, _, err := f.svc.PostEntry(ctx, officer, a.ID, key, tt.in)
			requireKind(t, err, tt.kind)
			if tt.field != "" {
				fields := errs.FieldsOf(err)
				require.NotEmpty(t, fields, "%v", err)
				assert.Equal(t, tt.field, fields[0].Field, "%v", err)
			}
			assert.Contains(t, err.Error(), tt.text)
			assert.Equal(t, before, f.written(t, a.ID), "nothing written")
		})
	}

	t.Run("frozen account", func(t *testing.T) {
		frozen, err := f.svc.Freeze(ctx, officer, a.ID, f.get(t, a.ID).Version, "企业失联")
		require.NoError(t, err)
		before := f.written(t, a.ID)
		for _, in := range []EntryInput{
			{Type: EntryDeposit, AmountFen: 1},
			{Type: EntryRelease, AmountFen: 1},
			{Type: EntryRefund, AmountFen: 1},
		} {
			_, _, err := f.svc.PostEntry(ctx, officer, a.ID, "frozen-"+string(in.Type), in)
			requireKind(t, err, errs.Conflict)
			assert.Contains(t, err.Error(), "账户已冻结（企业失联）")
			assert.Equal(t, before, f.written(t, a.ID), "nothing written")
		}

		// A refund passes only under an approved plan of the account (plan_test.go); a plan
		// that does not exist is refused.
		_, _, err = f.svc.PostEntry(ctx, officer, a.ID, "plan:RP-1:C-1",
			EntryInput{Type: EntryRefund, AmountFen: 1_000, Plan: "RP-1", PlanClaim: "C-1"})
		requireKind(t, err, errs.Invalid)
		assert.Equal(t, "plan", errs.FieldsOf(err)[0].Field)
		assert.Equal(t, before, f.written(t, a.ID), "nothing written")
		_, err = f.svc.Unfreeze(ctx, officer, a.ID, frozen.Version, "恢复联系")
		require.NoError(t, err)
	})

	t.Run("closed account", func(t *testing.T) {
		_, err := f.db.Collection(AccountsCollection).UpdateOne(ctx, bson.M{"_id": a.ID},
			bson.M{"$set": bson.M{"state": string(AccountClosed)}})
		require.NoError(t, err)
		before := f.written(t, a.ID)
		_, _, err = f.svc.PostEntry(ctx, officer, a.ID, "after-close", EntryInput{Type: EntryDeposit, AmountFen: 1})
		requireKind(t, err, errs.Conflict)
		assert.Contains(t, err.Error(), "销户")
		assert.Equal(t, before, f.written(t, a.ID), "nothing written")
	})

	t.Run("no such account", func(t *testing.T) {
		_, _, err := f.svc.PostEntry(ctx, officer, "FA-none", "k", EntryInput{Type: EntryDeposit, AmountFen: 1})
		requireKind(t, err, errs.NotFound)
	})
	verifyTrail(t, f.log)
}

func TestService_Correction(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.account(t)
	f.post(t, a.ID, "sale", EntrySale, 10_000)
	wrong := f.post(t, a.ID, "dep", EntryDeposit, 90_000) // meant 9,000 fen

	c, _, err := f.svc.PostEntry(ctx, officer, a.ID, "fix-dep",
		EntryInput{Type: EntryCorrection, Corrects: wrong.ID, Reference: "录入错误"})
	require.NoError(t, err)
	assert.EqualValues(t, 90_000, c.AmountFen, "a correction carries the amount it reverses")
	assert.Zero(t, f.get(t, a.ID).HeldFen, "the wrong deposit is reversed in full")

	f.post(t, a.ID, "dep-right", EntryDeposit, 9_000)
	rel := f.post(t, a.ID, "rel", EntryRelease, 1_000)
	_, _, err = f.svc.PostEntry(ctx, officer, a.ID, "fix-rel",
		EntryInput{Type: EntryCorrection, Corrects: rel.ID, AmountFen: 1_000})
	require.NoError(t, err)

	got := f.get(t, a.ID)
	assert.EqualValues(t, 9_000, got.HeldFen)
	assert.EqualValues(t, 10_000, got.OutstandingFen)
	assert.Zero(t, got.ReleasedFen)

	entries, err := f.svc.Entries(ctx, a.ID, 0, 0)
	require.NoError(t, err)
	assert.Len(t, entries, 6, "nothing is edited or deleted")
	b, err := LedgerBalances(entries)
	require.NoError(t, err)
	assert.Equal(t, balancesOf(got), b)

	n, err := f.svc.Reconcile(ctx)
	require.NoError(t, err)
	assert.Zero(t, n)
	verifyTrail(t, f.log)
}

func TestService_Reconcile(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a, b := f.account(t), f.account(t)
	f.post(t, a.ID, "s", EntrySale, 300_000)
	f.post(t, a.ID, "d", EntryDeposit, 200_000)
	f.post(t, b.ID, "d", EntryDeposit, 7_000)

	// Someone edits a cached balance behind the service's back.
	_, err := f.db.Collection(AccountsCollection).UpdateOne(ctx, bson.M{"_id": a.ID},
		bson.M{"$set": bson.M{"held_fen": int64(999_999_999)}})
	require.NoError(t, err)

	n, err := f.svc.Reconcile(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	got := f.get(t, a.ID)
	assert.EqualValues(t, 200_000, got.HeldFen)
	assert.EqualValues(t, 300_000, got.OutstandingFen)

	n, err = f.svc.Reconcile(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing left to fix")

	// Balances seen before a posting completed are not trusted: the entries are read again.
	off, err := f.svc.reconcileAccount(ctx, a.ID, got.Version-1, Balances{HeldFen: 1})
	require.NoError(t, err)
	assert.False(t, off)
	assert.EqualValues(t, 200_000, f.get(t, a.ID).HeldFen)

	page, err := f.log.List(ctx, audit.Query{Target: "fund_account/" + a.ID, Latest: true, Limit: 1})
	require.NoError(t, err)
	require.Len(t, page.Records, 1)
	assert.Equal(t, "fund_account.reconcile", page.Records[0].Action)
	assert.Contains(t, page.Records[0].Change, `"held_fen":999999999`, "the record keeps the wrong figure")
	verifyTrail(t, f.log)
}

// A posting that stopped after its entry was stored and before the account was updated left
// an entry beyond the applied sequence: the next posting applies it first.
func TestService_PostEntryRecoversUnappliedEntry(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.account(t)
	f.post(t, a.ID, "s", EntrySale, 100_000)
	lost := Entry{ID: a.ID + ":lost", AccountID: a.ID, Seq: 2, Type: EntryDeposit, AmountFen: 50_000,
		Currency: Currency, OccurredAt: f.now.UTC(), IdempotencyKey: "lost",
		BodyHash: bodyHash(EntryInput{Type: EntryDeposit, AmountFen: 50_000}), PostedAt: f.now.UTC(), PostedBy: "zhao"}
	require.NoError(t, f.st.InsertEntry(ctx, &lost))
	assert.Zero(t, f.get(t, a.ID).HeldFen, "not applied yet")

	// The client retries the lost posting: it answers with the entry, now applied.
	got, replayed, err := f.svc.PostEntry(ctx, officer, a.ID, "lost", EntryInput{Type: EntryDeposit, AmountFen: 50_000})
	require.NoError(t, err)
	assert.True(t, replayed)
	assert.EqualValues(t, 2, got.Seq)

	e := f.post(t, a.ID, "next", EntryRelease, 10_000)
	assert.EqualValues(t, 3, e.Seq)
	acct := f.get(t, a.ID)
	assert.EqualValues(t, 40_000, acct.HeldFen)
	assert.EqualValues(t, 3, acct.AppliedSeq)

	// Another lost deposit; a posting the rules pass as they stand meets its sequence number
	// taken, applies it and takes the next.
	lost2 := lost
	lost2.ID, lost2.Seq, lost2.IdempotencyKey = a.ID+":lost-2", 4, "lost-2"
	require.NoError(t, f.st.InsertEntry(ctx, &lost2))
	e = f.post(t, a.ID, "after", EntryDeposit, 1)
	assert.EqualValues(t, 5, e.Seq)
	acct = f.get(t, a.ID)
	assert.EqualValues(t, 90_001, acct.HeldFen)
	assert.EqualValues(t, 5, acct.AppliedSeq)

	n, err := f.svc.Reconcile(ctx)
	require.NoError(t, err)
	assert.Zero(t, n)
	verifyTrail(t, f.log)
}

func TestService_ReconcileAppliesUnappliedEntry(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.account(t)
	f.post(t, a.ID, "s", EntrySale, 100_000)
	lost := Entry{ID: a.ID + ":lost", AccountID: a.ID, Seq: 2, Type: EntryDeposit, AmountFen: 50_000,
		Currency: Currency, OccurredAt: f.now.UTC(), IdempotencyKey: "lost", PostedAt: f.now.UTC(), PostedBy: "zhao"}
	require.NoError(t, f.st.InsertEntry(ctx, &lost))

	n, err := f.svc.Reconcile(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	got := f.get(t, a.ID)
	assert.EqualValues(t, 50_000, got.HeldFen)
	assert.EqualValues(t, 2, got.AppliedSeq)
	verifyTrail(t, f.log)
}
