package funds

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
)

func TestRequiredFor(t *testing.T) {
	tests := []struct {
		outstanding int64
		share       int
		want        int64
	}{
		{0, 40, 0},
		{100, 40, 40},
		{1, 40, 1},    // 0.4 fen rounds up
		{101, 20, 21}, // 20.2 fen rounds up
		{250, 40, 100},
		{999_999, 30, 300_000}, // 299,999.7 rounds up
		{9_223_372_036_854_775_807, 100, 9_223_372_036_854_775_807},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, RequiredFor(tt.outstanding, tt.share), "%d × %d%%", tt.outstanding, tt.share)
	}
}

func TestMaskNumber(t *testing.T) {
	assert.Equal(t, "6222 **** **** 1234", MaskNumber("6222021234561234"))
	assert.Equal(t, "6222 **** **** 0123", MaskNumber("6222021234567890123"))
	assert.Equal(t, "**** 5678", MaskNumber("12345678"))
	assert.Equal(t, "**** 2345", MaskNumber("110012345"))
}

func TestService_OpenAccount(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	codes := f.enterprises(t, 2)

	a, err := f.svc.OpenAccount(ctx, officer, accountInput(codes[0]))
	require.NoError(t, err)
	assert.Equal(t, TierBeijing, a.Tier, "Beijing is the default tier")
	assert.Equal(t, 40, a.RequiredSharePercent)
	assert.Equal(t, AccountOpen, a.State)
	assert.EqualValues(t, 1, a.Version)
	assert.Nil(t, a.Coverage, "nothing is required yet")

	t.Run("tiers and override", func(t *testing.T) {
		for tier, want := range map[Tier]int{TierScale: 20, TierGroup: 30, TierBrand: 40, TierBeijing: 40} {
			in := accountInput(codes[1])
			in.Tier = tier
			in.AccountNumber = "110000000" + map[Tier]string{TierScale: "1", TierGroup: "2", TierBrand: "3",
				TierBeijing: "4"}[tier]
			got, err := f.svc.OpenAccount(ctx, officer, in)
			require.NoError(t, err)
			assert.Equal(t, want, got.RequiredSharePercent, tier)
		}
		share := 55
		in := accountInput(codes[1])
		in.Tier, in.AccountNumber, in.RequiredSharePercent = TierScale, "12345678901", &share
		got, err := f.svc.OpenAccount(ctx, officer, in)
		require.NoError(t, err)
		assert.Equal(t, 55, got.RequiredSharePercent)
	})

	t.Run("one open account per enterprise and number", func(t *testing.T) {
		in := accountInput(codes[0])
		in.AccountNumber = "6222 0212 3456 7890" // the same digits, grouped
		_, err := f.svc.OpenAccount(ctx, officer, in)
		requireKind(t, err, errs.Conflict)
	})

	t.Run("lists mask the number", func(t *testing.T) {
		list, err := f.svc.Accounts(ctx, codes[0])
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, "6222 **** **** 7890", list[0].AccountNumber)
		full, err := f.svc.Account(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, "6222021234567890", full.AccountNumber)
	})

	t.Run("JSON names", func(t *testing.T) {
		raw, err := json.Marshal(a)
		require.NoError(t, err)
		var m map[string]any
		require.NoError(t, json.Unmarshal(raw, &m))
		for _, k := range []string{"uscc", "bank", "branch", "account_number", "agreement_date", "tier",
			"required_share_percent", "held_fen", "outstanding_fen", "released_fen", "required_fen",
			"insured_fen", "coverage", "frozen", "covers", "version"} {
			assert.Contains(t, m, k)
		}
		assert.Nil(t, m["coverage"])
	})
	verifyTrail(t, f.log)
}

func TestService_OpenAccountRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	codes := f.enterprises(t, 1)
	zero, over := 0, 101

	tests := []struct {
		name  string
		edit  func(in *FundAccountInput)
		field string
	}{
		{"bad uscc", func(in *FundAccountInput) { in.USCC = "91110105MA0000000X" }, "uscc"},
		{"enterprise not on file", func(in *FundAccountInput) { in.USCC = string(uscc(t, 99)) }, "uscc"},
		{"no bank", func(in *FundAccountInput) { in.Bank = " " }, "bank"},
		{"letters in number", func(in *FundAccountInput) { in.AccountNumber = "6222ABCD1234" }, "account_number"},
		{"number too short", func(in *FundAccountInput) { in.AccountNumber = "1234567" }, "account_number"},
		{"number too long", func(in *FundAccountInput) { in.AccountNumber = "123456789012345678901234567890123" },
			"account_number"},
		{"bad date", func(in *FundAccountInput) { in.AgreementDate = "2026/09/01" }, "agreement_date"},
		{"future date", func(in *FundAccountInput) { in.AgreementDate = "2026-09-22" }, "agreement_date"},
		{"unknown tier", func(in *FundAccountInput) { in.Tier = "national" }, "tier"},
		{"share zero", func(in *FundAccountInput) { in.RequiredSharePercent = &zero }, "required_share_percent"},
		{"share over 100", func(in *FundAccountInput) { in.RequiredSharePercent = &over }, "required_share_percent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := accountInput(codes[0])
			tt.edit(&in)
			_, err := f.svc.OpenAccount(ctx, officer, in)
			requireKind(t, err, errs.Invalid)
			require.Len(t, errs.FieldsOf(err), 1, "%v", err)
			assert.Equal(t, tt.field, errs.FieldsOf(err)[0].Field)
			assert.Zero(t, f.count(t, AccountsCollection), "nothing written")
			assert.Zero(t, f.count(t, audit.RecordsCollection), "nothing written")
		})
	}
}

func TestService_AddCover(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.account(t)
	f.post(t, a.ID, "s1", EntrySale, 1_000_000) // 10,000 yuan sold: 4,000 required
	f.post(t, a.ID, "d1", EntryDeposit, 300_000)

	// A policy that starts tomorrow does not count today.
	a, err := f.svc.AddCover(ctx, officer, a.ID, f.get(t, a.ID).Version, CoverInput{Kind: CoverInsurance,
		Insurer: "中国人民财产保险", PolicyNumber: "PICC-2026-001", CoveredFen: 200_000,
		ValidFrom: "2026-09-22", ValidTo: "2026-12-31"})
	require.NoError(t, err)
	assert.EqualValues(t, 400_000, a.RequiredFen)
	assert.Zero(t, a.InsuredFen)
	assert.InDelta(t, 0.75, *a.Coverage, 1e-9)

	f.now = at(t, "2026-09-22", "00:00")
	a = f.get(t, a.ID)
	assert.EqualValues(t, 200_000, a.InsuredFen)
	assert.InDelta(t, 1.25, *a.Coverage, 1e-9)

	f.now = at(t, "2026-12-31", "23:59")
	assert.EqualValues(t, 200_000, f.get(t, a.ID).InsuredFen, "the last day counts")
	f.now = at(t, "2027-01-01", "00:00")
	assert.Zero(t, f.get(t, a.ID).InsuredFen, "expired")

	t.Run("refused", func(t *testing.T) {
		good := CoverInput{Kind: CoverBankGuarantee, Insurer: "中国银行", PolicyNumber: "BG-1", CoveredFen: 1,
			ValidFrom: "2026-09-01", ValidTo: "2026-09-30"}
		tests := []struct {
			name string
			edit func(in *CoverInput)
			kind errs.Kind
		}{
			{"unknown kind", func(in *CoverInput) { in.Kind = "pledge" }, errs.Invalid},
			{"no insurer", func(in *CoverInput) { in.Insurer = "" }, errs.Invalid},
			{"no policy number", func(in *CoverInput) { in.PolicyNumber = "" }, errs.Invalid},
			{"zero amount", func(in *CoverInput) { in.CoveredFen = 0 }, errs.Invalid},
			{"negative amount", func(in *CoverInput) { in.CoveredFen = -5 }, errs.Invalid},
			{"ends before it starts", func(in *CoverInput) { in.ValidTo = "2026-08-31" }, errs.Invalid},
			{"same policy twice", func(in *CoverInput) { in.PolicyNumber = "PICC-2026-001" }, errs.Conflict},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := f.written(t, a.ID)
				in := good
				tt.edit(&in)
				_, err := f.svc.AddCover(ctx, officer, a.ID, before.version, in)
				requireKind(t, err, tt.kind)
				assert.Equal(t, before, f.written(t, a.ID), "nothing written")
			})
		}
		_, err := f.svc.AddCover(ctx, officer, a.ID, 1, good)
		requireKind(t, err, errs.Stale)
	})
	verifyTrail(t, f.log)
}

func TestService_FreezeUnfreeze(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.account(t)

	_, err := f.svc.Freeze(ctx, officer, a.ID, a.Version, " ")
	requireKind(t, err, errs.Invalid)
	a, err = f.svc.Freeze(ctx, officer, a.ID, a.Version, "企业被列入严重违法失信名单")
	require.NoError(t, err)
	assert.True(t, a.Frozen)
	require.NotNil(t, a.Freeze)
	assert.Equal(t, "zhao", a.Freeze.By)

	_, err = f.svc.Freeze(ctx, officer, a.ID, a.Version, "again")
	requireKind(t, err, errs.Conflict)
	_, err = f.svc.Unfreeze(ctx, officer, a.ID, a.Version-1, "stale")
	requireKind(t, err, errs.Stale)
	a, err = f.svc.Unfreeze(ctx, officer, a.ID, a.Version, "移出名单")
	require.NoError(t, err)
	assert.False(t, a.Frozen)
	assert.Nil(t, a.Freeze)
	_, err = f.svc.Unfreeze(ctx, officer, a.ID, a.Version, "again")
	requireKind(t, err, errs.Conflict)

	_, err = f.svc.Freeze(ctx, officer, "FA-none", 1, "x")
	requireKind(t, err, errs.NotFound)

	// The frozen flag is what a list shows.
	var raw bson.M
	require.NoError(t, f.db.Collection(AccountsCollection).FindOne(ctx, bson.M{"_id": a.ID}).Decode(&raw))
	assert.Equal(t, false, raw["frozen"])
	verifyTrail(t, f.log)
}
