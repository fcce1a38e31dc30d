package api

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/funds"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/user"
	"prepaidreg/registry"
)

// Roles of the fund supervision routes (资金监管).
var (
	// fundReaders read accounts and ledgers: fund-supervision staff and regulators.
	fundReaders = []user.Role{user.FundOfficer, user.Regulator, user.Supervisor}
	// fundKeepers open accounts, add covers and post ledger entries.
	fundKeepers = []user.Role{user.FundOfficer}
	// fundFreezers freeze and unfreeze accounts: fund officers, and regulators, whose list
	// decisions (a black-listed enterprise) call for a freeze.
	fundFreezers = []user.Role{user.FundOfficer, user.Regulator, user.Supervisor}
	// fundUnfreezers lift a freeze: regulators and supervisors only, since a freeze may stand
	// on a list decision that a fund officer cannot undo.
	fundUnfreezers = regulators
)

// idempotencyKeyHeader names the header under which a client posts an entry once.
const idempotencyKeyHeader = "Idempotency-Key"

// replayedHeader tells a client that the answer is the one its key was first given.
const replayedHeader = "Idempotent-Replayed"

func fundAccountAPIPath(id string) string { return "/api/v1/funds/accounts/" + url.PathEscape(id) }

// writeFundAccount answers with an account and its version.
func writeFundAccount(c *fiber.Ctx, a *funds.Account) error {
	setETag(c, a.Version)
	return c.JSON(a)
}

// decodeFunds is decodeJSON with plain words on money: an amount that is not a whole number
// of fen (12.5, "1250") is named as such, and so is a whole number too large to be one.
func decodeFunds(c *fiber.Ctx, v any) error {
	err := decodeJSON(c, v)
	var he *httpError
	if errors.As(err, &he) && len(he.fields) == 1 && strings.HasSuffix(he.fields[0].Field, "_fen") &&
		integerTooLarge.MatchString(he.fields[0].Message) {
		return newHTTPError(http.StatusBadRequest, "金额超出范围 (amount out of range)", errs.FieldError{
			Field: he.fields[0].Field,
			Message: fmt.Sprintf("金额应为1至%d之间的整数分 (a whole number of fen from 1 to %d)",
				funds.MaxAmountFen, funds.MaxAmountFen),
		})
	}
	return wholeFen(err)
}

// integerTooLarge recognises decodeJSON's wrong-type message for a whole number beyond int64.
var integerTooLarge = regexp.MustCompile(`got number -?[0-9]+\)$`)

func (s *server) openFundAccount(c *fiber.Ctx) error {
	var in funds.FundAccountInput
	if err := decodeFunds(c, &in); err != nil {
		return err
	}
	a, err := s.Funds.OpenAccount(c.UserContext(), actor(c), in)
	if err != nil {
		return err
	}
	c.Location(fundAccountAPIPath(a.ID))
	return writeFundAccount(c.Status(http.StatusCreated), a)
}

// fundAccountList is an enterprise's accounts, numbers masked.
type fundAccountList struct {
	Items []funds.Account `json:"items"`
}

func (s *server) listFundAccounts(c *fiber.Ctx) error {
	p, err := queryParams(c, "uscc")
	if err != nil {
		return err
	}
	if strings.TrimSpace(p["uscc"]) == "" {
		return newHTTPError(http.StatusBadRequest, "查询参数有误 (invalid query)", errs.FieldError{Field: "uscc",
			Message: "请指明企业的统一社会信用代码 (name the enterprise by its USCC)"})
	}
	code, err := registry.ParseUSCC(p["uscc"])
	if err != nil {
		return newHTTPError(http.StatusBadRequest, "查询参数有误 (invalid query)",
			errs.FieldError{Field: "uscc", Message: err.Error()})
	}
	list, err := s.Funds.Accounts(c.UserContext(), code)
	if err != nil {
		return err
	}
	return c.JSON(fundAccountList{Items: list})
}

func (s *server) getFundAccount(c *fiber.Ctx) error {
	if _, err := queryParams(c); err != nil {
		return err
	}
	a, err := s.Funds.Account(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return writeFundAccount(c, a)
}

// entryBody is a ledger entry as posted. Refunds under a refund plan (funds.EntryInput's
// Plan) are not taken here: the service takes any plan named as approved until refund plans
// exist, which would let any refund pass a freeze.
type entryBody struct {
	Type      funds.EntryType `json:"type"`
	AmountFen int64           `json:"amount_fen"`
	Currency  string          `json:"currency"`
	Reference string          `json:"reference"`
	// OccurredAt is RFC 3339; empty means now.
	OccurredAt string `json:"occurred_at"`
	Corrects   string `json:"corrects"`
}

// input parses the body into the service's input.
func (b entryBody) input() (funds.EntryInput, error) {
	in := funds.EntryInput{Type: b.Type, AmountFen: b.AmountFen, Currency: b.Currency, Reference: b.Reference,
		Corrects: strings.TrimSpace(b.Corrects)}
	if s := strings.TrimSpace(b.OccurredAt); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return in, errs.Fields("api.postFundEntry", errs.FieldError{Field: "occurred_at",
				Message: "时间格式应为 RFC 3339，如 2026-09-21T09:30:00+08:00 (an RFC 3339 time)"})
		}
		in.OccurredAt = t
	}
	return in, nil
}

// postFundEntry posts an entry once per Idempotency-Key: the first post answers 201, the
// same key and body again answers 200 with the entry first posted and Idempotent-Replayed.
func (s *server) postFundEntry(c *fiber.Ctx) error {
	key := c.Get(idempotencyKeyHeader)
	if key == "" {
		return newHTTPError(http.StatusBadRequest, "入账须带 Idempotency-Key 请求头 (send an Idempotency-Key header)",
			errs.FieldError{Field: idempotencyKeyHeader,
				Message: "每笔记录一个唯一的键，重试时原样再发 (one key per entry, sent again unchanged on a retry)"})
	}
	var body entryBody
	if err := decodeFunds(c, &body); err != nil {
		return err
	}
	in, err := body.input()
	if err != nil {
		return err
	}

	e, replayed, err := s.Funds.PostEntry(c.UserContext(), actor(c), c.Params("id"), key, in)
	if err != nil {
		return keyHeaderField(err)
	}
	if replayed {
		c.Set(replayedHeader, "true")
		return c.JSON(e)
	}
	s.checkFundAlerts(c, e.AccountID)
	return c.Status(http.StatusCreated).JSON(e)
}

// checkFundAlerts looks at the account afresh after a posting: a shortfall raises its alert at
// once. A failed check does not undo the posting; the hourly sweep looks again.
func (s *server) checkFundAlerts(c *fiber.Ctx, accountID string) {
	if err := s.Funds.AfterPost(c.UserContext(), accountID); err != nil {
		s.logger.Error("fund alert check after a posting failed", "account", accountID, "err", err,
			"request_id", requestID(c))
	}
}

// keyHeaderField names the header, as the client sent it, where the service names the key.
func keyHeaderField(err error) error {
	fe := errs.FieldsOf(err)
	if len(fe) != 1 || fe[0].Field != "idempotency_key" {
		return err
	}
	return newHTTPError(http.StatusBadRequest, errs.MessageOf(err),
		errs.FieldError{Field: idempotencyKeyHeader, Message: fe[0].Message})
}

// entryPage is a page of an account's ledger in sequence order.
type entryPage struct {
	Items      []funds.Entry `json:"items"`
	NextCursor string        `json:"next_cursor,omitempty"`
}

func (s *server) listFundEntries(c *fiber.Ctx) error {
	p, err := queryParams(c, "after", "cursor", "limit")
	if err != nil {
		return err
	}
	after, err := entriesAfter(p["after"], p["cursor"])
	if err != nil {
		return err
	}
	limit, err := parseLimit(p["limit"])
	if err != nil {
		return err
	}

	// One more than the page tells whether there is a next page.
	list, err := s.Funds.Entries(c.UserContext(), c.Params("id"), after, limit+1)
	if err != nil {
		return err
	}
	page := entryPage{Items: list}
	if len(list) > limit {
		page.Items = list[:limit]
		page.NextCursor = encodeCursor(strconv.FormatInt(list[limit-1].Seq, 10))
	}
	if page.Items == nil {
		page.Items = []funds.Entry{}
	}
	return c.JSON(page)
}

// entriesAfter reads where a ledger page starts: after the sequence number after, or at the
// cursor a previous page gave; not both.
func entriesAfter(after, cursor string) (int64, error) {
	bad := func(name, msg string) error {
		return newHTTPError(http.StatusBadRequest, "查询参数有误 (invalid query)",
			errs.FieldError{Field: name, Message: msg})
	}
	if after != "" && cursor != "" {
		return 0, bad("cursor", "after 与 cursor 只能给一个 (give after or cursor, not both)")
	}
	if cursor != "" {
		raw, err := decodeCursor(cursor)
		if err != nil {
			return 0, err
		}
		seq, perr := strconv.ParseInt(raw, 10, 64)
		if perr != nil || seq < 0 {
			return 0, bad("cursor", "分页游标无效，请从第一页重新开始 (invalid cursor)")
		}
		return seq, nil
	}
	if after == "" {
		return 0, nil
	}
	seq, err := strconv.ParseInt(after, 10, 64)
	if err != nil || seq < 0 {
		return 0, bad("after", "应为记录序号，不小于0的整数 (a sequence number, 0 or more)")
	}
	return seq, nil
}

func (s *server) addFundCover(c *fiber.Ctx) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	var in funds.CoverInput
	if err := decodeFunds(c, &in); err != nil {
		return err
	}
	a, err := s.Funds.AddCover(c.UserContext(), actor(c), c.Params("id"), version, in)
	if err != nil {
		return err
	}
	return writeFundAccount(c, a)
}

// freezeBody is the body of freeze and unfreeze.
type freezeBody struct {
	Reason string `json:"reason"`
}

func (s *server) freezeFundAccount(c *fiber.Ctx) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	var in freezeBody
	if err := decodeFunds(c, &in); err != nil {
		return err
	}
	a, err := s.Funds.Freeze(c.UserContext(), actor(c), c.Params("id"), version, in.Reason)
	if err != nil {
		return err
	}
	return writeFundAccount(c, a)
}

func (s *server) unfreezeFundAccount(c *fiber.Ctx) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	var in freezeBody
	if err := decodeFunds(c, &in); err != nil {
		return err
	}
	a, err := s.Funds.Unfreeze(c.UserContext(), actor(c), c.Params("id"), version, in.Reason)
	if err != nil {
		return err
	}
	return writeFundAccount(c, a)
}
