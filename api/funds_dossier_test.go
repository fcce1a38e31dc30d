package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/funds"
	"prepaidreg/internal/audit"
	"prepaidreg/internal/user"
	"prepaidreg/registry"
)

// TestFunds_FiguresReachTheDossierAndScore opens a supervised account for an enterprise,
// reports sales and a deposit short of the required share, and reads the dossier: it shows
// the funds held and required, and the fund factor of the risk score counts the shortfall.
func TestFunds_FiguresReachTheDossierAndScore(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	actor := audit.Actor{Username: "fund1", Role: string(user.FundOfficer), Via: "api"}
	uscc := env.createEnterprise("MA01FD001", nil)

	acct, err := env.funds.OpenAccount(ctx, actor, funds.FundAccountInput{USCC: uscc, Bank: "北京银行",
		Branch: "朝阳支行", AccountNumber: "6222000011112222", AgreementDate: "2026-06-01"})
	require.NoError(t, err)
	for key, in := range map[string]funds.EntryInput{
		"sale-1":    {Type: funds.EntrySale, AmountFen: 1_000_000, Reference: "S-1"},
		"deposit-1": {Type: funds.EntryDeposit, AmountFen: 100_000, Reference: "D-1"},
	} {
		_, _, err := env.funds.PostEntry(ctx, actor, acct.ID, key, in)
		require.NoError(t, err)
	}
	// A re-score after the funds changed; the module does not yet re-score by itself.
	_, err = env.registry.Rescore(ctx, []registry.USCC{registry.USCC(uscc)})
	require.NoError(t, err)

	r := env.do(user.Regulator, "GET", "/api/v1/enterprises/"+uscc+"/dossier", nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var d struct {
		dossierBody
		Funds struct {
			Held     *int64 `json:"supervised_balance_fen"`
			Required *int64 `json:"required_deposit_fen"`
		} `json:"funds"`
	}
	r.JSON(t, &d)
	require.NotNil(t, d.Funds.Held)
	assert.EqualValues(t, 100_000, *d.Funds.Held)
	require.NotNil(t, d.Funds.Required)
	assert.EqualValues(t, 400_000, *d.Funds.Required, "40 % of 10,000 元 outstanding (Beijing)")
	_, contribution := d.factor("fund_coverage")
	assert.Positive(t, contribution, "a deposit of a quarter of what is required moves the score")
}

// TestFunds_BlackListingAsGoneFreezesTheAccounts publishes a black-list entry on the art. 8
// ground through the API: the enterprise's supervised account is frozen, and a release is
// refused; a grey entry for another enterprise freezes nothing.
func TestFunds_BlackListingAsGoneFreezesTheAccounts(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	actor := audit.Actor{Username: "fund1", Role: string(user.FundOfficer), Via: "api"}
	gone := env.createEnterprise("MA01FD010", nil)
	other := env.createEnterprise("MA01FD011", nil)
	open := func(uscc, number string) string {
		t.Helper()
		a, err := env.funds.OpenAccount(ctx, actor, funds.FundAccountInput{USCC: uscc, Bank: "北京银行",
			Branch: "朝阳支行", AccountNumber: number, AgreementDate: "2026-06-01"})
		require.NoError(t, err)
		return a.ID
	}
	goneAccount := open(gone, "6222000011113333")
	otherAccount := open(other, "6222000011114444")

	grey := env.postEntry(t, user.Regulator, "/api/v1/list-entries", greyManual(other), http.StatusCreated)
	env.postEntry(t, user.Supervisor, "/api/v1/list-entries/"+grey.ID+"/approve", nil, http.StatusOK)
	black := env.postEntry(t, user.Regulator, "/api/v1/list-entries", blackOnGround(gone), http.StatusCreated)
	env.postEntry(t, user.Supervisor, "/api/v1/list-entries/"+black.ID+"/approve", nil, http.StatusOK)

	a, err := env.funds.Account(ctx, goneAccount)
	require.NoError(t, err)
	require.True(t, a.Frozen, "the enterprise black-listed as gone has its account frozen")
	assert.Contains(t, a.Freeze.Reason, "列入严重违法失信名单")
	assert.Equal(t, "system", a.Freeze.By)
	_, _, err = env.funds.PostEntry(ctx, actor, goneAccount, "release-1",
		funds.EntryInput{Type: funds.EntryRelease, AmountFen: 1, Reference: "R-1"})
	require.Error(t, err, "no release passes a frozen account")

	b, err := env.funds.Account(ctx, otherAccount)
	require.NoError(t, err)
	assert.False(t, b.Frozen, "a grey entry freezes nothing")
}
