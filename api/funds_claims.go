package api

import (
	"context"
	"strings"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/funds"
	"prepaidreg/internal/money"
	"prepaidreg/registry"
)

// claimCandidatesLimit bounds the complaints read for candidates.
const claimCandidatesLimit = 500

// claimCandidate is a consumer's claim a refund plan may take in: a sum agreed in mediation
// and unpaid (verified by the agreement), or a complaint's amount, which a fund officer must
// verify before it counts (its verified amount is left at zero).
type claimCandidate struct {
	funds.RefundClaim
	Note string `json:"note"`
}

// claimCandidates gathers the enterprise's claims from the mediation cases and the
// complaints: what a refund plan is built from besides claims imported by hand.
func (s *server) claimCandidates(ctx context.Context, uscc registry.USCC) ([]claimCandidate, error) {
	agreed, err := s.Mediation.AgreedRefunds(ctx, uscc)
	if err != nil {
		return nil, err
	}
	out := []claimCandidate{}
	for _, a := range agreed {
		out = append(out, claimCandidate{RefundClaim: funds.RefundClaim{ID: a.ID, ConsumerName: a.ConsumerName,
			ConsumerPhone: a.ConsumerPhone, ClaimFen: a.AmountFen, VerifiedFen: a.AmountFen,
			Source: funds.ClaimFromMediation}, Note: "调解协议约定，未履行 (agreed in mediation, unpaid)"})
	}
	page, err := s.Registry.ListComplaints(ctx, registry.ComplaintQuery{USCC: uscc, Limit: claimCandidatesLimit})
	if err != nil {
		return nil, err
	}
	for _, cp := range page.Items {
		if cp.AmountFen <= 0 || cp.ComplainantName == "" {
			continue
		}
		out = append(out, claimCandidate{RefundClaim: funds.RefundClaim{ID: cp.ID, ConsumerName: cp.ComplainantName,
			ConsumerPhone: cp.ComplainantPhone, ClaimFen: cp.AmountFen, Source: funds.ClaimFromComplaint},
			Note: "投诉所称金额，须核实后填写核实金额 (complaint: verify the amount)"})
	}
	return out, nil
}

// listClaimCandidates answers the account's enterprise's claim candidates, consumers in full:
// the route lets only those who build refund plans read it.
func (s *server) listClaimCandidates(c *fiber.Ctx) error {
	if _, err := queryParams(c); err != nil {
		return err
	}
	a, err := s.Funds.Account(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	items, err := s.claimCandidates(c.UserContext(), a.USCC)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items})
}

// claimLines writes candidates as the plan builder's lines: id, name, phone, claimed and
// verified yuan, source; a complaint's verified amount is left blank for the officer to fill.
func claimLines(items []claimCandidate) string {
	var b strings.Builder
	for _, it := range items {
		verified := ""
		if it.VerifiedFen > 0 {
			verified = money.Yuan(it.VerifiedFen)
		}
		b.WriteString(strings.Join([]string{it.ID, it.ConsumerName, it.ConsumerPhone,
			strings.ReplaceAll(money.Yuan(it.ClaimFen), ",", ""), strings.ReplaceAll(verified, ",", ""),
			it.Source}, ", "))
		b.WriteString("\n")
	}
	return b.String()
}
