package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/user"
	"prepaidreg/mediation"
)

// Roles of the mediation routes. The service refines them: a mediator works only the cases
// assigned to them and takes cases from the open pool, and sees no other case.
var (
	// mediationWorkers work cases: mediators and regulators.
	mediationWorkers = []user.Role{user.Mediator, user.Regulator, user.Supervisor}
	// mediationReaders read the mediation bodies and mediators on file.
	mediationReaders = []user.Role{user.Mediator, user.Regulator, user.Supervisor, user.Admin}
	// mediationKeepers keep the mediation bodies and mediators.
	mediationKeepers = []user.Role{user.Admin, user.Regulator, user.Supervisor}
)

// caseBody is a case as the API answers it: the case as the caller may see it, with the
// Chinese name of its state.
type caseBody struct {
	*mediation.Case
	StateLabel string `json:"state_label"`
}

// writeCase answers with the case and its version.
func writeCase(c *fiber.Ctx, mc *mediation.Case) error {
	setETag(c, mc.Version)
	return c.JSON(caseBody{Case: mc, StateLabel: mc.State.Label()})
}

// decodeMediation is decodeJSON with a plainer word on money: an amount that is not a whole
// number of fen (12.5, "1250") is named as such.
func decodeMediation(c *fiber.Ctx, v any) error {
	return wholeFen(decodeJSON(c, v))
}

// decodeMediationOptional is decodeMediation for bodies that may be left empty.
func decodeMediationOptional(c *fiber.Ctx, v any) error {
	if len(c.Body()) == 0 {
		return nil
	}
	return decodeMediation(c, v)
}

// wholeFen rewrites decodeJSON's wrong-type problem on a field ending in _fen.
func wholeFen(err error) error {
	var he *httpError
	if !errors.As(err, &he) || len(he.fields) != 1 || !strings.HasPrefix(he.detail, "字段类型错误") {
		return err
	}
	name := he.fields[0].Field
	if !strings.HasSuffix(name, "_fen") {
		return err
	}
	return newHTTPError(http.StatusBadRequest, "金额应为整数分 (amounts are whole fen)", errs.FieldError{Field: name,
		Message: "金额以分为单位，应为不带小数的整数，如12.50元写作1250 (a whole number of fen: 12.50 yuan is 1250)"})
}

func (s *server) openMediationCase(c *fiber.Ctx) error {
	var in mediation.OpenInput
	if err := decodeMediation(c, &in); err != nil {
		return err
	}
	mc, err := s.Mediation.OpenCase(c.UserContext(), actor(c), in)
	if err != nil {
		return err
	}
	c.Location("/api/v1/mediation/cases/" + mc.ID)
	return writeCase(c.Status(http.StatusCreated), mc)
}

func (s *server) mediationQueue(c *fiber.Ctx) error {
	p, err := queryParams(c, "limit", "cursor", "pool_cursor")
	if err != nil {
		return err
	}
	q := mediation.QueueQuery{Limit: mediation.DefaultQueueLimit, Cursor: p["cursor"], PoolCursor: p["pool_cursor"]}
	if v := p["limit"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > mediation.MaxQueueLimit {
			return newHTTPError(http.StatusBadRequest, "查询参数有误 (invalid query)",
				errs.FieldError{Field: "limit", Message: "应为1至100的整数 (an integer from 1 to 100)"})
		}
		q.Limit = n
	}
	queue, err := s.Mediation.Queue(c.UserContext(), actor(c), q)
	if err != nil {
		return err
	}
	return c.JSON(queue)
}

func (s *server) getMediationCase(c *fiber.Ctx) error {
	if _, err := queryParams(c); err != nil {
		return err
	}
	mc, err := s.Mediation.Case(c.UserContext(), actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	return writeCase(c, mc)
}

// caseChange is one of the service's changes of a case, bound to its input.
type caseChange func(ctx context.Context, a audit.Actor, id string, ifVersion int64) (*mediation.Case, error)

// changeMediationCase makes a change at the version the client sent in If-Match and answers
// with the case as it now is, with its new version.
func (s *server) changeMediationCase(c *fiber.Ctx, change caseChange) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	mc, err := change(c.UserContext(), actor(c), c.Params("id"), version)
	if err != nil {
		return err
	}
	return writeCase(c, mc)
}

// noBody is the body of a change that takes no input: empty, or {}.
type noBody struct{}

// caseReason is the body of refuse, pause, recuse and withdraw.
type caseReason struct {
	Reason string `json:"reason"`
}

// caseNote is the body of notify.
type caseNote struct {
	Note string `json:"note"`
}

// caseAssignment is the body of assign: the body and the mediator, both optional for a
// mediator taking a case for themself.
type caseAssignment struct {
	Body     string `json:"body"`
	Mediator string `json:"mediator"`
}

// caseTermination is the body of terminate.
type caseTermination struct {
	Reason              string `json:"reason"`
	RefusedByEnterprise bool   `json:"refused_by_enterprise"`
}

// casePerformance is the body of performance; performed must be given.
type casePerformance struct {
	Performed *bool  `json:"performed"`
	Note      string `json:"note"`
}

// caseReferral is the body of refer.
type caseReferral struct {
	To   mediation.Referral `json:"to"`
	Note string             `json:"note"`
}

// caseJoin is the body of join: the case whose claims join this one, at the version read.
type caseJoin struct {
	Case    string `json:"case"`
	Version int64  `json:"version"`
}

func (s *server) acceptMediationCase(c *fiber.Ctx) error {
	if err := decodeMediationOptional(c, &noBody{}); err != nil {
		return err
	}
	return s.changeMediationCase(c, s.Mediation.Accept)
}

func (s *server) refuseMediationCase(c *fiber.Ctx) error {
	var in caseReason
	if err := decodeMediation(c, &in); err != nil {
		return err
	}
	return s.changeMediationCase(c,
		func(ctx context.Context, a audit.Actor, id string, v int64) (*mediation.Case, error) {
			return s.Mediation.Refuse(ctx, a, id, v, in.Reason)
		})
}

func (s *server) assignMediationCase(c *fiber.Ctx) error {
	var in caseAssignment
	if err := decodeMediationOptional(c, &in); err != nil {
		return err
	}
	return s.changeMediationCase(c,
		func(ctx context.Context, a audit.Actor, id string, v int64) (*mediation.Case, error) {
			return s.Mediation.Assign(ctx, a, id, v, strings.TrimSpace(in.Body), strings.TrimSpace(in.Mediator))
		})
}

func (s *server) addMediationSession(c *fiber.Ctx) error {
	var in mediation.SessionInput
	if err := decodeMediation(c, &in); err != nil {
		return err
	}
	return s.changeMediationCase(c,
		func(ctx context.Context, a audit.Actor, id string, v int64) (*mediation.Case, error) {
			return s.Mediation.AddSession(ctx, a, id, v, in)
		})
}

func (s *server) pauseMediationCase(c *fiber.Ctx) error {
	var in caseReason
	if err := decodeMediation(c, &in); err != nil {
		return err
	}
	return s.changeMediationCase(c,
		func(ctx context.Context, a audit.Actor, id string, v int64) (*mediation.Case, error) {
			return s.Mediation.Pause(ctx, a, id, v, in.Reason)
		})
}

func (s *server) resumeMediationCase(c *fiber.Ctx) error {
	if err := decodeMediationOptional(c, &noBody{}); err != nil {
		return err
	}
	return s.changeMediationCase(c, s.Mediation.Resume)
}

func (s *server) recordMediationAgreement(c *fiber.Ctx) error {
	var in mediation.AgreementInput
	if err := decodeMediation(c, &in); err != nil {
		return err
	}
	return s.changeMediationCase(c,
		func(ctx context.Context, a audit.Actor, id string, v int64) (*mediation.Case, error) {
			return s.Mediation.RecordAgreement(ctx, a, id, v, in)
		})
}

func (s *server) recordMediationPerformance(c *fiber.Ctx) error {
	var in casePerformance
	if err := decodeMediation(c, &in); err != nil {
		return err
	}
	if in.Performed == nil {
		return errs.Fields("api.recordMediationPerformance",
			errs.FieldError{Field: "performed",
				Message: "请说明协议是否已履行：true 或 false (say whether it was performed)"})
	}
	return s.changeMediationCase(c,
		func(ctx context.Context, a audit.Actor, id string, v int64) (*mediation.Case, error) {
			return s.Mediation.RecordPerformance(ctx, a, id, v, *in.Performed, in.Note)
		})
}

func (s *server) referMediationCase(c *fiber.Ctx) error {
	var in caseReferral
	if err := decodeMediation(c, &in); err != nil {
		return err
	}
	return s.changeMediationCase(c,
		func(ctx context.Context, a audit.Actor, id string, v int64) (*mediation.Case, error) {
			return s.Mediation.Refer(ctx, a, id, v, in.To, in.Note)
		})
}

func (s *server) withdrawMediationCase(c *fiber.Ctx) error {
	var in caseReason
	if err := decodeMediationOptional(c, &in); err != nil {
		return err
	}
	return s.changeMediationCase(c,
		func(ctx context.Context, a audit.Actor, id string, v int64) (*mediation.Case, error) {
			return s.Mediation.Withdraw(ctx, a, id, v, in.Reason)
		})
}

func (s *server) recuseMediationCase(c *fiber.Ctx) error {
	var in caseReason
	if err := decodeMediation(c, &in); err != nil {
		return err
	}
	return s.changeMediationCase(c,
		func(ctx context.Context, a audit.Actor, id string, v int64) (*mediation.Case, error) {
			return s.Mediation.Recuse(ctx, a, id, v, in.Reason)
		})
}

func (s *server) notifyMediationParties(c *fiber.Ctx) error {
	var in caseNote
	if err := decodeMediationOptional(c, &in); err != nil {
		return err
	}
	return s.changeMediationCase(c,
		func(ctx context.Context, a audit.Actor, id string, v int64) (*mediation.Case, error) {
			return s.Mediation.NotifyParties(ctx, a, id, v, in.Note)
		})
}

func (s *server) terminateMediationCase(c *fiber.Ctx) error {
	var in caseTermination
	if err := decodeMediation(c, &in); err != nil {
		return err
	}
	return s.changeMediationCase(c,
		func(ctx context.Context, a audit.Actor, id string, v int64) (*mediation.Case, error) {
			return s.Mediation.Terminate(ctx, a, id, v, in.Reason, in.RefusedByEnterprise)
		})
}

func (s *server) closeMediationCase(c *fiber.Ctx) error {
	if err := decodeMediationOptional(c, &noBody{}); err != nil {
		return err
	}
	return s.changeMediationCase(c, s.Mediation.Close)
}

func (s *server) joinMediationCases(c *fiber.Ctx) error {
	var in caseJoin
	if err := decodeMediation(c, &in); err != nil {
		return err
	}
	var fe []errs.FieldError
	in.Case = strings.TrimSpace(in.Case)
	if in.Case == "" {
		fe = append(fe, errs.FieldError{Field: "case", Message: "请填写要并入的案件编号 (name the case to join)"})
	}
	if in.Version < 1 {
		fe = append(fe, errs.FieldError{Field: "version",
			Message: "请填写读取该案件时的版本号 (the version of that case you read)"})
	}
	if in.Case == c.Params("id") {
		// The service names this field other_id; the API calls it case.
		fe = append(fe, errs.FieldError{Field: "case", Message: "不能与自身合并 (a case cannot join itself)"})
	}
	if len(fe) > 0 {
		return errs.Fields("api.joinMediationCases", fe...)
	}
	return s.changeMediationCase(c,
		func(ctx context.Context, a audit.Actor, id string, v int64) (*mediation.Case, error) {
			return s.Mediation.JoinCases(ctx, a, id, v, in.Case, in.Version)
		})
}

// caseDocument renders one of a case's documents.
type caseDocument func(ctx context.Context, a audit.Actor, id string) ([]byte, error)

// sendCaseDocument answers with a case's document as a download: an ASCII name and the
// Chinese one.
func (s *server) sendCaseDocument(c *fiber.Ctx, render caseDocument, ascii, title string) error {
	if _, err := queryParams(c); err != nil {
		return err
	}
	id := c.Params("id")
	out, err := render(c.UserContext(), actor(c), id)
	if err != nil {
		return err
	}
	attachment(c, ascii+"-"+fileSafe(id)+".pdf", title+"_"+fileSafe(id)+".pdf")
	c.Set(fiber.HeaderContentType, "application/pdf")
	return c.Send(out)
}

func (s *server) mediationAgreementPDF(c *fiber.Ctx) error {
	return s.sendCaseDocument(c, s.Mediation.AgreementDocument, "mediation-agreement", "调解协议书")
}

func (s *server) mediationTerminationPDF(c *fiber.Ctx) error {
	return s.sendCaseDocument(c, s.Mediation.TerminationDocument, "mediation-termination", "终止调解书")
}
