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
