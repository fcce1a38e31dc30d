package mediation

import (
	"context"
	"strconv"
	"strings"

	"prepaidreg/registry"
)

// AgreedRefund is a sum an enterprise agreed in mediation to pay a consumer and has not been
// found to have paid: a verified claim when the enterprise's supervised funds are shared out.
type AgreedRefund struct {
	// ID names the case and the agreement's term, e.g. MC-20260914-1a2b3c4d-1.
	ID            string `json:"id"`
	CaseID        string `json:"case_id"`
	ConsumerName  string `json:"consumer_name"`
	ConsumerPhone string `json:"consumer_phone"`
	AmountFen     int64  `json:"amount_fen"`
	DueOn         string `json:"due_on"`
}

// agreedRefundCases is how many of an enterprise's latest cases are searched for agreements.
const agreedRefundCases = 500

// AgreedRefunds returns what the enterprise agreed in mediation to pay consumers and has not
// been recorded as paid: the terms of agreements whose performance is not recorded, or was
// recorded as not performed, that the enterprise pays to a consumer. A term names its payee
// by name or as "consumer"; the consumer's phone comes from the case's claims. The consumers
// are shown in full: the funds module pays them, and the route table lets only fund officers
// and regulators read this.
func (s *Service) AgreedRefunds(ctx context.Context, uscc registry.USCC) ([]AgreedRefund, error) {
	cases, err := s.store.CasesOf(ctx, uscc, agreedRefundCases)
	if err != nil {
		return nil, err
	}
	out := []AgreedRefund{}
	for _, c := range cases {
		a := c.Agreement
		if a == nil || (a.Performed != nil && *a.Performed) {
			continue
		}
		for i, t := range a.Terms {
			if !paidByEnterprise(t.Payer, c.EnterpriseName) || t.AmountFen <= 0 {
				continue
			}
			name, phone, ok := payeeOf(t.Payee, c.Claims)
			if !ok {
				continue
			}
			out = append(out, AgreedRefund{ID: c.ID + "-" + strconv.Itoa(i+1), CaseID: c.ID, ConsumerName: name,
				ConsumerPhone: phone, AmountFen: t.AmountFen, DueOn: t.DueOn})
		}
	}
	return out, nil
}

// paidByEnterprise says whether a term's payer is the enterprise: named as a side, by its
// name, or as 企业.
func paidByEnterprise(payer, enterpriseName string) bool {
	p := strings.TrimSpace(payer)
	return p == string(SideEnterprise) || p == "企业" || (enterpriseName != "" && p == enterpriseName)
}

// payeeOf finds the consumer a term pays: "consumer" with one consumer, or a consumer named in
// the case's claims.
func payeeOf(payee string, claims []Claim) (name, phone string, ok bool) {
	p := strings.TrimSpace(payee)
	if p == string(SideConsumer) && len(claims) == 1 {
		return claims[0].ConsumerName, claims[0].ConsumerPhone, true
	}
	for _, cl := range claims {
		if cl.ConsumerName == p {
			return cl.ConsumerName, cl.ConsumerPhone, true
		}
	}
	return "", "", false
}
