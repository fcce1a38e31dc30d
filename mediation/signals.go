package mediation

import (
	"context"
	"fmt"

	"prepaidreg/registry"
)

// dossierCases is how many cases an enterprise's dossier lists.
const dossierCases = 20

var (
	_ registry.Signals = (*Service)(nil)
	_ registry.Records = (*Service)(nil)
)

// RiskSignals implements registry.Signals: FailedMediations counts the enterprise's cases that
// ended without agreement, that it refused to take part in, or whose agreement it did not
// perform, each case once.
func (s *Service) RiskSignals(ctx context.Context, uscc registry.USCC) (registry.RiskSignals, error) {
	n, err := s.store.CountFailed(ctx, uscc)
	if err != nil {
		return registry.RiskSignals{}, err
	}
	return registry.RiskSignals{FailedMediations: n}, nil
}

// DossierRecords implements registry.Records: the enterprise's latest cases, newest first,
// with where they stand and how they ended. No consumer appears in them.
func (s *Service) DossierRecords(ctx context.Context, uscc registry.USCC) (registry.DossierRecords, error) {
	cases, err := s.store.CasesOf(ctx, uscc, dossierCases)
	if err != nil {
		return registry.DossierRecords{}, err
	}
	out := make([]registry.DossierRecord, 0, len(cases))
	for i := range cases {
		c := &cases[i]
		out = append(out, registry.DossierRecord{
			ID: c.ID, At: c.SubmittedAt, Title: "调解案件 " + c.ID, State: c.State.Label(),
			Outcome: outcomeOf(c), Link: "/console/mediation/cases/" + c.ID,
		})
	}
	return registry.DossierRecords{Mediation: out}, nil
}

// outcomeOf says in plain Chinese how a case ended, or what it is about while it is open.
func outcomeOf(c *Case) string {
	if a := c.Agreement; a != nil {
		text := "达成协议（" + yuan(a.TotalFen) + "），待履行"
		if a.Performed != nil && *a.Performed {
			text = "达成协议，已履行"
		} else if a.Performed != nil {
			text = "达成协议，未履行"
		}
		if c.ReferredTo != "" {
			text += "；" + c.Outcome
		}
		return text
	}
	switch c.Ending {
	case EndingNoAgreement:
		text := "终止调解：" + c.Outcome
		if c.RefusedByEnterprise {
			text += "（企业拒绝调解）"
		}
		return text
	case EndingRefused:
		return "不予受理：" + c.Outcome
	case EndingWithdrawn:
		return orDefault("撤回："+c.Outcome, "撤回：", "消费者撤回")
	case EndingReferred:
		return c.Outcome
	case EndingJoined:
		return c.Outcome
	}
	return fmt.Sprintf("消费者%d人，请求金额合计%s", len(c.Claims), yuan(c.ClaimedFen()))
}

// orDefault returns s, or def when s is only its empty form.
func orDefault(s, empty, def string) string {
	if s == empty {
		return def
	}
	return s
}
