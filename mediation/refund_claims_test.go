package mediation

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestService_AgreedRefunds(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	codes := f.enterprises(t, 2)
	f.mediators(t, "")

	none, err := f.svc.AgreedRefunds(ctx, codes[0])
	require.NoError(t, err)
	assert.Empty(t, none)

	c := f.inMediation(t, codes[0])
	c, err = f.svc.RecordAgreement(ctx, wang, c.ID, c.Version, AgreementInput{
		Points: []string{"剩余费用退还金额"},
		Terms: []Term{
			{Payer: "enterprise", Payee: "consumer", AmountFen: 200000, DueOn: "2026-09-24", Method: "银行转账"},
			{Payer: "企业", Payee: "张伟", AmountFen: 50000, DueOn: "2026-09-30", Method: "银行转账"},
			{Payer: "张伟", Payee: "enterprise", AmountFen: 100, DueOn: "2026-09-30", Method: "现金"},
		},
	})
	require.NoError(t, err)
	// Another enterprise's agreement is not this one's debt.
	other := f.inMediation(t, codes[1])
	_, err = f.svc.RecordAgreement(ctx, wang, other.ID, other.Version, AgreementInput{
		Points: []string{"退费"}, Terms: []Term{{Payer: "enterprise", Payee: "consumer", AmountFen: 1,
			DueOn: "2026-09-24", Method: "转账"}}})
	require.NoError(t, err)

	got, err := f.svc.AgreedRefunds(ctx, codes[0])
	require.NoError(t, err)
	assert.Equal(t, []AgreedRefund{
		{ID: c.ID + "-1", CaseID: c.ID, ConsumerName: "张伟", ConsumerPhone: "13812341234", AmountFen: 200000,
			DueOn: "2026-09-24"},
		{ID: c.ID + "-2", CaseID: c.ID, ConsumerName: "张伟", ConsumerPhone: "13812341234", AmountFen: 50000,
			DueOn: "2026-09-30"},
	}, got, "what the enterprise pays the consumer, unpaid; not what the consumer pays")

	// Once performed, nothing is owed.
	f.now = f.now.AddDate(0, 0, 30)
	_, err = f.svc.RecordPerformance(ctx, wang, c.ID, c.Version, true, "已全部支付")
	require.NoError(t, err)
	got, err = f.svc.AgreedRefunds(ctx, codes[0])
	require.NoError(t, err)
	assert.Empty(t, got)
}
