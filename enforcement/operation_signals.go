package enforcement

import (
	"context"
	"fmt"
	"strings"
	"time"

	"prepaidreg/internal/money"
	"prepaidreg/registry"
)

// penaltyWindow is the period within which two penalties are a black-list ground
// (《市场监督管理严重违法失信名单管理办法》 with the Shanghai rule: penalised twice within a
// year).
const penaltyWindow = 365 * 24 * time.Hour

// inspectionSignals counts what the enterprise's inspections tell the risk score: findings is
// the number of inspections that found at least one problem, penalties the fines imposed, and
// penaltiesLastYear the fines of inspections in the 365 days up to now. One store query.
func (s *Service) inspectionSignals(
	ctx context.Context,
	uscc registry.USCC,
) (findings, penalties, penaltiesLastYear int, err error) {
	inspections, err := s.store.InspectionsOf(ctx, uscc, 0)
	if err != nil {
		return 0, 0, 0, err
	}
	now := s.now()
	since := now.Add(-penaltyWindow)
	for _, ins := range inspections {
		if len(ins.Findings) > 0 {
			findings++
		}
		fines := len(ins.Fines())
		penalties += fines
		if ins.InspectedAt.After(since) && !ins.InspectedAt.After(now) {
			penaltiesLastYear += fines
		}
	}
	return findings, penalties, penaltiesLastYear, nil
}

// inspectionRecords returns at most limit of the enterprise's inspections as dossier records,
// the latest inspection first. One store query.
func (s *Service) inspectionRecords(
	ctx context.Context,
	uscc registry.USCC,
	limit int,
) ([]registry.DossierRecord, error) {
	inspections, err := s.store.InspectionsOf(ctx, uscc, limit)
	if err != nil {
		return nil, err
	}
	out := make([]registry.DossierRecord, len(inspections))
	for i, ins := range inspections {
		out[i] = registry.DossierRecord{
			ID: ins.ID, At: ins.InspectedAt, Title: "联合执法检查：" + ins.OperationTitle,
			State: "已检查", Outcome: inspectionOutcome(&ins), Link: "/console/operations/" + ins.OperationID,
		}
	}
	return out, nil
}

// inspectionOutcome says in a line what an inspection found and what was done, e.g.
// 发现问题 2 项；罚款 5,000.00 元（决定书 京朝市监罚〔2026〕12号）.
func inspectionOutcome(ins *Inspection) string {
	if len(ins.Findings) == 0 {
		return "未发现问题"
	}
	parts := []string{fmt.Sprintf("发现问题 %d 项", len(ins.Findings))}
	for _, m := range ins.Measures {
		parts = append(parts, measureSummary(m))
	}
	return strings.Join(parts, "；")
}

// measureSummary says in a few words what a measure was.
func measureSummary(m Measure) string {
	switch m.Kind {
	case MeasureFine:
		return fmt.Sprintf("罚款 %s 元（决定书 %s）", money.Yuan(m.AmountFen), m.DecisionNumber)
	case MeasureRectify:
		if m.Deadline != nil {
			return "责令整改（期限 " + opDay(*m.Deadline) + "）"
		}
		return "责令整改"
	case MeasureReferral:
		return "移送" + m.ReferredTo.Name()
	}
	return m.Kind.Label()
}
