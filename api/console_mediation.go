package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/money"
	"prepaidreg/internal/user"
	"prepaidreg/mediation"
)

func mediationCasePath(id string) string { return "/console/mediation/cases/" + url.PathEscape(id) }

// Words the mediation pages show for the service's codes.
var (
	claimKindLabels = map[string]string{
		string(mediation.ClaimRefund): "退款", string(mediation.ClaimContinue): "继续履行服务",
		string(mediation.ClaimOther): "其他",
	}
	cardKindLabels = map[string]string{
		string(mediation.CardAnonymous): "不记名卡", string(mediation.CardNamed): "记名卡",
		string(mediation.CardCourse): "课程（按课时）", string(mediation.CardOther): "其他",
	}
	sideLabels = map[string]string{
		string(mediation.SideConsumer): "消费者", string(mediation.SideEnterprise): "企业",
		string(mediation.SideMediator): "调解员",
	}
	sessionFormLabels = map[string]string{"on_site": "现场调解", "phone": "电话调解", "video": "视频调解"}
	flagLabels        = map[string]string{
		string(mediation.DeadlineOpen): "进行中", string(mediation.DeadlineMet): "已完成",
		string(mediation.DeadlineNear): "临近", string(mediation.DeadlineOverdue): "逾期",
	}
	deadlineKindLabels = map[string]string{
		string(mediation.DeadlineAcceptance): "受理决定", string(mediation.DeadlineMediation): "调解期限",
		string(mediation.DeadlineNotification): "告知终止", string(mediation.DeadlinePerformance): "协议履行",
	}
	eventLabels = map[string]string{
		"submit": "登记", "accept": "受理", "refuse": "不予受理", "assign": "分派", "recuse": "回避",
		"pause": "中止计时", "resume": "恢复计时", "session": "调解", "agreement": "达成协议",
		"performance": "登记履行", "refer": "移送", "terminate": "终止调解", "withdraw": "撤回",
		"notify": "告知双方", "close": "结案", "join": "合并", "joined": "并入",
	}
	bodyKindOrder = []mediation.BodyKind{
		mediation.BodyBureau, mediation.BodyConsumerAssociation, mediation.BodyIndustry, mediation.BodyPeoples,
	}
)

// mediationStaff reports whether the signed-in user may do everything with cases.
func mediationStaff(c *fiber.Ctx) bool {
	u := currentUser(c)
	return u != nil && (u.Role == user.Regulator || u.Role == user.Supervisor)
}

// mediationNow is the mediation service's clock: the console's defaults (today's refund, the
// statistics' year, a session's time) follow it.
func (s *server) mediationNow() time.Time { return s.Mediation.Now() }

// parseYuanInput reads an amount typed in yuan as fen; "" is zero unless required. The
// message says what is wrong: a sign, too many decimals, or not a number.
func parseYuanInput(v string, required bool) (int64, string) {
	v = strings.TrimSpace(v)
	if v == "" {
		if required {
			return 0, "必填 (required)"
		}
		return 0, ""
	}
	if strings.HasPrefix(v, "-") {
		return 0, "金额不能为负数 (an amount cannot be negative)"
	}
	if _, frac, ok := strings.Cut(v, "."); ok && len(frac) > 2 {
		return 0, "金额最多两位小数，即精确到分 (at most two decimals: yuan and fen)"
	}
	fen, err := money.ParseYuan(v)
	if err != nil {
		return 0, err.Error()
	}
	return fen, ""
}

// parseCount reads a whole number typed in a form; "" is zero.
func parseCount(v string) (int, string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, ""
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, "应为不小于0的整数 (a whole number)"
	}
	return n, ""
}

// yuanText shows fen as the forms take it back: 1234.50.
func yuanText(fen int64) string {
	if fen == 0 {
		return ""
	}
	return strings.ReplaceAll(money.Yuan(fen), ",", "")
}

// queueRow is one case of a queue as the page shows it.
type queueRow struct {
	mediation.QueueItem
	Path, Consumers, Claim, Due, FlagLabel string
}

func queueRows(items []mediation.QueueItem) []queueRow {
	out := make([]queueRow, 0, len(items))
	for _, it := range items {
		r := queueRow{QueueItem: it, Path: mediationCasePath(it.ID), Consumers: strings.Join(it.Consumers, "、"),
			Claim: money.Yuan(it.ClaimFen), FlagLabel: flagLabels[string(it.Flag)]}
		if it.NextDeadline != nil {
			r.Due = it.NextDeadline.In(shanghai).Format(time.DateOnly)
		}
		out = append(out, r)
	}
	return out
}

// queueTable is one table of the queue page; Take offers the take button on each row.
type queueTable struct {
	Rows        []queueRow
	Take        bool
	CSRF, Empty string
}

// mediationQueueView is the queue page.
type mediationQueueView struct {
	Staff, Mediator      bool
	Cases, Pool          []queueRow
	Mine, PoolTable      queueTable
	NextURL, PoolNextURL string
	Done                 string
}

func (s *server) mediationQueuePage(c *fiber.Ctx) error {
	q, err := queryParams(c, "cursor", "pool_cursor", "done")
	if err != nil {
		return err
	}
	queue, err := s.Mediation.Queue(c.UserContext(), actor(c),
		mediation.QueueQuery{Cursor: q["cursor"], PoolCursor: q["pool_cursor"]})
	if err != nil {
		return err
	}
	v := mediationQueueView{Staff: mediationStaff(c), Mediator: currentUser(c).Role == user.Mediator,
		Cases: queueRows(queue.Cases), Pool: queueRows(queue.Pool), Done: mediationDone[q["done"]]}
	v.Mine = queueTable{Rows: v.Cases, Empty: "暂无在办案件。"}
	if v.Mediator {
		v.Mine.Empty = "暂无您承办的案件。"
	}
	v.PoolTable = queueTable{Rows: v.Pool, Take: v.Mediator, CSRF: currentSession(c).CSRF,
		Empty: "案件池中暂无待分派的案件。"}
	if queue.NextCursor != "" {
		v.NextURL = "/console/mediation?" + url.Values{"cursor": {queue.NextCursor},
			"pool_cursor": {q["pool_cursor"]}}.Encode()
	}
	if queue.PoolNextCursor != "" {
		v.PoolNextURL = "/console/mediation?" + url.Values{"cursor": {q["cursor"]},
			"pool_cursor": {queue.PoolNextCursor}}.Encode()
	}
	title := "调解案件"
	if v.Mediator {
		title = "我的调解案件"
	}
	return s.render(c, "mediation_queue", pageData{Title: title, Data: v})
}

// openCaseFields are the inputs of the form that opens a case.
var openCaseFields = []string{
	"complaint_id", "uscc", "consumer_name", "consumer_phone", "id_number", "claim", "claim_yuan", "facts",
	"card_type", "face_yuan", "paid_yuan", "used_yuan", "bought_on", "lessons", "lessons_used",
}

// openCaseInputs names the input each of the service's fields is shown beside.
var openCaseInputs = map[string]string{
	"complaint_id": "complaint_id", "uscc": "uscc", "consumer_name": "consumer_name",
	"consumer_phone": "consumer_phone", "id_number": "id_number", "claim": "claim", "claim_fen": "claim_yuan",
	"facts": "facts", "card.type": "card_type", "card.face_value_fen": "face_yuan", "card.paid_fen": "paid_yuan",
	"card.used_fen": "used_yuan", "card.bought_on": "bought_on", "card.lessons": "lessons",
	"card.lessons_used": "lessons_used",
}

// mediationFormView is what the open-case form shows besides the typed values.
type mediationFormView struct {
	Claims, Cards []option
	form, errors  map[string]string
}

// mediationField is one text input of a console form with what was typed and its message.
type mediationField struct {
	Name, Label, Hint, Value, Err, Type, Mode string
}

// F returns the text input name with its label and hint; an amount in yuan ends in _yuan.
func (v *mediationFormView) F(name, label, hint string) mediationField {
	f := mediationField{Name: name, Label: label, Hint: hint, Value: v.form[name], Err: v.errors[name]}
	switch {
	case strings.HasSuffix(name, "_yuan"):
		f.Mode = "decimal"
	case name == "bought_on":
		f.Type = "date"
	case name == "lessons" || name == "lessons_used":
		f.Mode = "numeric"
	}
	return f
}

func (s *server) newMediationCasePage(c *fiber.Ctx) error {
	q, err := queryParams(c, "complaint_id", "uscc")
	if err != nil {
		return err
	}
	form := map[string]string{"complaint_id": q["complaint_id"], "uscc": q["uscc"], "claim": "refund"}
	return s.renderMediationForm(c, pageData{Form: form})
}

func (s *server) renderMediationForm(c *fiber.Ctx, d pageData) error {
	v := mediationFormView{form: d.Form, errors: d.FieldErrors}
	for _, k := range []mediation.ClaimKind{mediation.ClaimRefund, mediation.ClaimContinue, mediation.ClaimOther} {
		v.Claims = append(v.Claims, option{Value: string(k), Label: claimKindLabels[string(k)],
			Selected: d.Form["claim"] == string(k)})
	}
	v.Cards = []option{{Value: "", Label: "无（不涉及预付卡）", Selected: d.Form["card_type"] == ""}}
	for _, k := range []mediation.CardKind{mediation.CardNamed, mediation.CardAnonymous, mediation.CardCourse,
		mediation.CardOther} {
		v.Cards = append(v.Cards, option{Value: string(k), Label: cardKindLabels[string(k)],
			Selected: d.Form["card_type"] == string(k)})
	}
	d.Title, d.Data = "登记调解案件", &v
	return s.render(c, "mediation_form", d)
}

func (s *server) openMediationCaseForm(c *fiber.Ctx) error {
	if err := checkFormSize(c); err != nil {
		return err
	}
	form := readForm(c, openCaseFields)
	for k, v := range form {
		form[k] = strings.TrimSpace(v)
	}
	in, local := openInputOf(form)
	if len(local) > 0 {
		c.Status(http.StatusBadRequest)
		return s.renderMediationForm(c, pageData{Form: form, FieldErrors: local,
			Error: "未保存：请按表单中的红字说明修改后重新提交。"})
	}
	cs, err := s.Mediation.OpenCase(c.UserContext(), actor(c), in)
	if err == nil {
		return c.Redirect(mediationCasePath(cs.ID)+"?done=open", http.StatusSeeOther)
	}
	if !errs.Is(err, errs.Invalid) {
		return err
	}
	placed, top := placeErrors(errs.FieldsOf(err), openCaseInputs, nil)
	d := pageData{Form: form, FieldErrors: placed, Error: "未保存：请按表单中的红字说明修改后重新提交。"}
	if top != "" {
		d.Error = "未保存：" + top
	}
	c.Status(http.StatusBadRequest)
	return s.renderMediationForm(c, d)
}

// openInputOf turns the typed form into the service's input; amounts and counts that cannot
// be read are returned as messages by input. A form with only a complaint opens the case
// from that complaint.
func openInputOf(form map[string]string) (mediation.OpenInput, map[string]string) {
	local := map[string]string{}
	in := mediation.OpenInput{ComplaintID: form["complaint_id"], USCC: form["uscc"],
		ConsumerName: form["consumer_name"], ConsumerPhone: form["consumer_phone"], IDNumber: form["id_number"],
		Claim: mediation.ClaimKind(form["claim"]), Facts: form["facts"]}
	fromComplaint := in.ComplaintID != ""
	if fromComplaint && in.ConsumerName == "" && in.ConsumerPhone == "" {
		// The complaint brings the consumer, the amount and the facts.
		in.Claim = ""
	}
	var msg string
	if in.ClaimFen, msg = parseYuanInput(form["claim_yuan"], false); msg != "" {
		local["claim_yuan"] = msg
	}
	if form["card_type"] == "" {
		return in, local
	}
	card := &mediation.Card{Kind: mediation.CardKind(form["card_type"]), BoughtOn: form["bought_on"]}
	for name, dst := range map[string]*int64{"face_yuan": &card.FaceValueFen, "paid_yuan": &card.PaidFen,
		"used_yuan": &card.UsedFen} {
		if *dst, msg = parseYuanInput(form[name], name == "paid_yuan"); msg != "" {
			local[name] = msg
		}
	}
	for name, dst := range map[string]*int{"lessons": &card.Lessons, "lessons_used": &card.LessonsUsed} {
		if *dst, msg = parseCount(form[name]); msg != "" {
			local[name] = msg
		}
	}
	in.Card = card
	return in, local
}

// Roles of the mediation pages.
var (
	mediationPages  = []user.Role{user.Regulator, user.Supervisor, user.Mediator}
	mediationAdmins = []user.Role{user.Regulator, user.Supervisor, user.Admin}
)
