package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/user"
	"prepaidreg/internal/workday"
)

// fundsAPIEnv is a test app with the funds service on a fixed clock: Monday 2026-11-02,
// 10:00 in Beijing.
type fundsAPIEnv struct {
	*testEnv
	now time.Time
}

func newFundsAPIEnv(t *testing.T) *fundsAPIEnv {
	t.Helper()
	now := time.Date(2026, 11, 2, 10, 0, 0, 0, workday.Zone)
	env := &fundsAPIEnv{testEnv: newTestEnv(t), now: now}
	env.funds.SetClock(func() time.Time { return now })
	return env
}

// fundAccountBody is an account as the API answers it.
type fundAccountBody struct {
	ID                   string   `json:"id"`
	USCC                 string   `json:"uscc"`
	Bank                 string   `json:"bank"`
	AccountNumber        string   `json:"account_number"`
	Tier                 string   `json:"tier"`
	RequiredSharePercent int      `json:"required_share_percent"`
	Frozen               bool     `json:"frozen"`
	HeldFen              int64    `json:"held_fen"`
	OutstandingFen       int64    `json:"outstanding_fen"`
	ReleasedFen          int64    `json:"released_fen"`
	RequiredFen          int64    `json:"required_fen"`
	InsuredFen           int64    `json:"insured_fen"`
	Coverage             *float64 `json:"coverage"`
	AppliedSeq           int64    `json:"applied_seq"`
	Version              int64    `json:"version"`
	Freeze               *struct {
		Reason string `json:"reason"`
		By     string `json:"by"`
	} `json:"freeze"`
	Covers []struct {
		PolicyNumber string `json:"policy_number"`
		CoveredFen   int64  `json:"covered_fen"`
	} `json:"covers"`
}

// fundEntryBody is a ledger entry as the API answers it.
type fundEntryBody struct {
	ID             string    `json:"id"`
	Seq            int64     `json:"seq"`
	Type           string    `json:"type"`
	AmountFen      int64     `json:"amount_fen"`
	Currency       string    `json:"currency"`
	Reference      string    `json:"reference"`
	OccurredAt     time.Time `json:"occurred_at"`
	Corrects       string    `json:"corrects"`
	IdempotencyKey string    `json:"idempotency_key"`
	PostedAt       time.Time `json:"posted_at"`
	PostedBy       string    `json:"posted_by"`
}

type fundEntryPage struct {
	Items      []fundEntryBody `json:"items"`
	NextCursor string          `json:"next_cursor"`
}

func accountPath(id string) string { return "/api/v1/funds/accounts/" + id }

// openAccount opens an account for a new enterprise as a fund officer.
func (e *fundsAPIEnv) openAccount(t *testing.T, org string) fundAccountBody {
	t.Helper()
	uscc := e.createEnterprise(org, nil)
	r := e.do(user.FundOfficer, "POST", "/api/v1/funds/accounts", map[string]any{
		"uscc": uscc, "bank": "北京银行", "branch": "朝阳支行", "account_number": "6222 0000 1111 2222",
		"tier": "beijing", "required_share_percent": 40, "agreement_date": "2026-06-01"})
	require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	var a fundAccountBody
	r.JSON(t, &a)
	assert.Equal(t, accountPath(a.ID), r.Header.Get("Location"))
	assert.Equal(t, `"1"`, r.Header.Get("ETag"))
	return a
}

// account reads an account and its ETag.
func (e *fundsAPIEnv) account(t *testing.T, role user.Role, id string) (fundAccountBody, string) {
	t.Helper()
	r := e.do(role, "GET", accountPath(id), nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var a fundAccountBody
	r.JSON(t, &a)
	require.Equal(t, fmt.Sprintf(`"%d"`, a.Version), r.Header.Get("ETag"))
	return a, r.Header.Get("ETag")
}

// post posts an entry as a fund officer under key.
func (e *fundsAPIEnv) post(t *testing.T, id, key string, body map[string]any) response {
	t.Helper()
	return e.do(user.FundOfficer, "POST", accountPath(id)+"/entries", body, "Idempotency-Key", key)
}

// posted posts an entry that must be taken, and returns it.
func (e *fundsAPIEnv) posted(t *testing.T, id, key string, body map[string]any) fundEntryBody {
	t.Helper()
	r := e.post(t, id, key, body)
	require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	var got fundEntryBody
	r.JSON(t, &got)
	return got
}

// ledger reads the whole ledger page by page, limit entries at a time, following next_cursor.
func (e *fundsAPIEnv) ledger(t *testing.T, id string, limit int) ([]fundEntryBody, int) {
	t.Helper()
	var all []fundEntryBody
	pages := 0
	cursor := ""
	for {
		q := url.Values{"limit": {fmt.Sprint(limit)}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		r := e.do(user.Regulator, "GET", accountPath(id)+"/entries?"+q.Encode(), nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		var page fundEntryPage
		r.JSON(t, &page)
		pages++
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			return all, pages
		}
		require.Len(t, page.Items, limit, "a page with a next cursor is full")
		cursor = page.NextCursor
	}
}

// change posts a change of the account at the version etag and returns the account as it
// now is.
func (e *fundsAPIEnv) change(
	t *testing.T,
	role user.Role,
	id, action, etag string,
	body any,
) (fundAccountBody, string) {
	t.Helper()
	r := e.do(role, "POST", accountPath(id)+"/"+action, body, "If-Match", etag)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var a fundAccountBody
	r.JSON(t, &a)
	return a, r.Header.Get("ETag")
}

// TestFundsAPI_Story follows one supervised account: opened, sales and a deposit reported,
// coverage read, a release refused with its figures and a smaller one allowed, a cover
// added, a freeze that stops a release, the unfreeze, a correction, and the ledger paged.
func TestFundsAPI_Story(t *testing.T) {
	env := newFundsAPIEnv(t)
	a := env.openAccount(t, "MA01FA001")
	assert.Equal(t, "6222000011112222", a.AccountNumber, "the creator sees the number in full")
	assert.Equal(t, 40, a.RequiredSharePercent)
	id := a.ID

	// Sales of 10,000 元 and a deposit of 5,000 元.
	for i, fen := range []int64{300_000, 500_000, 200_000} {
		e := env.posted(t, id, fmt.Sprintf("sale-%d", i), map[string]any{"type": "sale", "amount_fen": fen,
			"reference": fmt.Sprintf("POS-%d", i), "occurred_at": fmt.Sprintf("2026-10-%02dT18:00:00+08:00", 28+i)})
		assert.EqualValues(t, i+1, e.Seq)
		assert.Equal(t, "CNY", e.Currency)
		assert.Equal(t, "fund_officer1", e.PostedBy)
	}
	env.posted(t, id, "deposit-0", map[string]any{"type": "deposit", "amount_fen": 500_000, "currency": "cny",
		"reference": "BANK-0001"})

	got, etag := env.account(t, user.Regulator, id)
	assert.EqualValues(t, 500_000, got.HeldFen)
	assert.EqualValues(t, 1_000_000, got.OutstandingFen)
	assert.EqualValues(t, 400_000, got.RequiredFen, "40 % of 10,000 元")
	assert.Zero(t, got.InsuredFen)
	require.NotNil(t, got.Coverage)
	assert.InDelta(t, 1.25, *got.Coverage, 1e-9)
	assert.False(t, got.Frozen)
	assert.Equal(t, `"5"`, etag, "opened, then four entries")

	r := env.do(user.FundOfficer, "GET", "/api/v1/funds/accounts?uscc="+got.USCC, nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var list struct{ Items []fundAccountBody }
	r.JSON(t, &list)
	require.Len(t, list.Items, 1)
	assert.Equal(t, "6222 **** **** 2222", list.Items[0].AccountNumber)
	assert.NotContains(t, string(r.Body), "6222000011112222")
	assert.EqualValues(t, 400_000, list.Items[0].RequiredFen)

	t.Run("a release below the required share is refused with the figures", func(t *testing.T) {
		r := env.post(t, id, "release-big", map[string]any{"type": "release", "amount_fen": 200_000})
		require.Equal(t, http.StatusConflict, r.Status, "body: %s", r.Body)
		p := r.Problem(t)
		for _, figure := range []string{"5,000.00", "2,000.00", "3,000.00", "3,200.00", "8,000.00", "40%"} {
			assert.Contains(t, p.Detail, figure)
		}
		after, _ := env.account(t, user.FundOfficer, id)
		assert.Equal(t, got.Version, after.Version, "nothing written")
	})

	release := env.posted(t, id, "release-ok", map[string]any{"type": "release", "amount_fen": 100_000,
		"reference": "划转-1"})
	got, etag = env.account(t, user.FundOfficer, id)
	assert.EqualValues(t, 400_000, got.HeldFen)
	assert.EqualValues(t, 900_000, got.OutstandingFen)
	assert.EqualValues(t, 100_000, got.ReleasedFen)
	assert.EqualValues(t, 360_000, got.RequiredFen)

	t.Run("a cover counts toward coverage", func(t *testing.T) {
		cover := map[string]any{"kind": "insurance", "insurer": "人保财险", "policy_number": "PICC-2026-01",
			"covered_fen": 50_000, "valid_from": "2026-01-01", "valid_to": "2026-12-31"}
		r := env.do(user.FundOfficer, "POST", accountPath(id)+"/covers", cover, "If-Match", `"1"`)
		assert.Equal(t, http.StatusPreconditionFailed, r.Status, "stale version: body %s", r.Body)

		got, etag = env.change(t, user.FundOfficer, id, "covers", etag, cover)
		assert.EqualValues(t, 50_000, got.InsuredFen)
		require.NotNil(t, got.Coverage)
		assert.InDelta(t, 1.25, *got.Coverage, 1e-9, "(4,000 + 500) / 3,600")
	})

	t.Run("a frozen account takes no release until unfrozen", func(t *testing.T) {
		got, etag = env.change(t, user.Regulator, id, "freeze", etag, map[string]any{"reason": "企业涉嫌停业跑路"})
		assert.True(t, got.Frozen)
		require.NotNil(t, got.Freeze)
		assert.Equal(t, "regulator1", got.Freeze.By)

		r := env.post(t, id, "release-frozen", map[string]any{"type": "release", "amount_fen": 10_000})
		require.Equal(t, http.StatusConflict, r.Status, "body: %s", r.Body)
		assert.Contains(t, r.Problem(t).Detail, "账户已冻结（企业涉嫌停业跑路）")
		r = env.do(user.Supervisor, "POST", accountPath(id)+"/freeze", map[string]any{"reason": "again"},
			"If-Match", etag)
		assert.Equal(t, http.StatusConflict, r.Status, "already frozen: %s", r.Body)

		r = env.do(user.FundOfficer, "POST", accountPath(id)+"/unfreeze", map[string]any{"reason": "企业已恢复经营"},
			"If-Match", etag)
		assert.Equal(t, http.StatusForbidden, r.Status, "a fund officer cannot lift a freeze: %s", r.Body)
		got, etag = env.change(t, user.Supervisor, id, "unfreeze", etag, map[string]any{"reason": "企业已恢复经营"})
		assert.False(t, got.Frozen)
		assert.Nil(t, got.Freeze)
		// The refused key was never used: it may be posted now.
		env.posted(t, id, "release-frozen", map[string]any{"type": "release", "amount_fen": 10_000})
	})

	t.Run("a correction reverses an entry in full", func(t *testing.T) {
		wrong := env.posted(t, id, "sale-typo", map[string]any{"type": "sale", "amount_fen": 1_234_500,
			"reference": "POS-typo"})
		before, _ := env.account(t, user.FundOfficer, id)
		fix := env.posted(t, id, "fix-typo", map[string]any{"type": "correction", "corrects": wrong.ID,
			"reference": "录入错误"})
		assert.EqualValues(t, 1_234_500, fix.AmountFen, "a correction takes the corrected entry's amount")
		assert.Equal(t, wrong.ID, fix.Corrects)
		after, _ := env.account(t, user.FundOfficer, id)
		assert.Equal(t, before.OutstandingFen-1_234_500, after.OutstandingFen)
		assert.Equal(t, before.HeldFen, after.HeldFen)

		r := env.post(t, id, "fix-typo-again", map[string]any{"type": "correction", "corrects": wrong.ID})
		require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
		assert.Contains(t, r.Problem(t).fieldNames(), "corrects")
	})

	t.Run("the ledger pages in sequence order", func(t *testing.T) {
		all, pages := env.ledger(t, id, 3)
		require.Len(t, all, 8)
		assert.Equal(t, 3, pages)
		for i, e := range all {
			assert.EqualValues(t, i+1, e.Seq)
		}
		assert.Equal(t, release.ID, all[4].ID)
		assert.Equal(t, "correction", all[7].Type)

		r := env.do(user.Supervisor, "GET", accountPath(id)+"/entries?after=6", nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		var page fundEntryPage
		r.JSON(t, &page)
		require.Len(t, page.Items, 2)
		assert.EqualValues(t, 7, page.Items[0].Seq)
		assert.Empty(t, page.NextCursor)

		got, _ := env.account(t, user.FundOfficer, id)
		assert.EqualValues(t, 8, got.AppliedSeq)
		held, outstanding := int64(0), int64(0)
		for _, e := range all {
			switch e.Type {
			case "sale":
				outstanding += e.AmountFen
			case "deposit":
				held += e.AmountFen
			case "release":
				held, outstanding = held-e.AmountFen, outstanding-e.AmountFen
			case "correction":
				outstanding -= e.AmountFen // the only correction reverses a sale
			}
		}
		assert.Equal(t, held, got.HeldFen)
		assert.Equal(t, outstanding, got.OutstandingFen)
	})
}

// TestFundsAPI_IdempotencyKey pins down what a key does: the first post is 201, the same
// key and body again answer 200 with the first entry and Idempotent-Replayed, and the same
// key with another body is a conflict that says so.
func TestFundsAPI_IdempotencyKey(t *testing.T) {
	env := newFundsAPIEnv(t)
	a := env.openAccount(t, "MA01FA002")
	body := map[string]any{"type": "sale", "amount_fen": 88_800, "reference": "POS-88",
		"occurred_at": "2026-11-01T12:00:00+08:00"}

	first := env.post(t, a.ID, "k-1", body)
	require.Equal(t, http.StatusCreated, first.Status, "body: %s", first.Body)
	assert.Empty(t, first.Header.Get("Idempotent-Replayed"))

	// The same instant written in UTC is the same body.
	again := env.post(t, a.ID, "k-1", map[string]any{"type": "sale", "amount_fen": 88_800, "reference": "POS-88",
		"occurred_at": "2026-11-01T04:00:00Z"})
	require.Equal(t, http.StatusOK, again.Status, "body: %s", again.Body)
	assert.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
	assert.JSONEq(t, string(first.Body), string(again.Body), "the first result")

	other := env.post(t, a.ID, "k-1", map[string]any{"type": "sale", "amount_fen": 88_900, "reference": "POS-88",
		"occurred_at": "2026-11-01T12:00:00+08:00"})
	require.Equal(t, http.StatusConflict, other.Status, "body: %s", other.Body)
	assert.Contains(t, other.Problem(t).Detail, "Idempotency-Key was used with a different entry")

	got, _ := env.account(t, user.FundOfficer, a.ID)
	assert.EqualValues(t, 88_800, got.OutstandingFen)
	assert.EqualValues(t, 1, got.AppliedSeq)

	// A key names an entry of one account: on another account it is a new entry.
	b := env.openAccount(t, "MA01FA003")
	r := env.post(t, b.ID, "k-1", body)
	assert.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
}

// TestFundsAPI_ConcurrentPostingOnce is the concurrency requirement through HTTP:
// eight clients post the same entries twice, each client a share of the first pass and
// another client's share of the second, interleaved, each entry under its own key. Every
// entry is posted once, replays answer with the first result, and the balances are the
// sums worked out here.
//
// It posts the 1,000 entries (2,000 requests). On the embedded store that takes about
// 45 seconds, three times the service's own test of the same load: each request also finds
// its caller's token and goes through the app.
func TestFundsAPI_ConcurrentPostingOnce(t *testing.T) {
	const clients = 8
	const total = 1000
	env := newFundsAPIEnv(t)
	a := env.openAccount(t, "MA01FA004")
	path := accountPath(a.ID) + "/entries"
	token := env.tokens[user.FundOfficer]

	// The entries and their sums, worked out apart from the service.
	bodies := make([][]byte, total)
	var wantHeld, wantOutstanding int64
	for i := range bodies {
		amount := int64(100 + i*7)
		kind := [...]string{"sale", "deposit", "interest"}[i%3]
		switch kind {
		case "sale":
			wantOutstanding += amount
		default:
			wantHeld += amount
		}
		raw, err := json.Marshal(map[string]any{"type": kind, "amount_fen": amount,
			"reference": fmt.Sprintf("批次-%04d", i)})
		require.NoError(t, err)
		bodies[i] = raw
	}

	type answer struct {
		status   int
		replayed bool
		body     []byte
	}
	answers := make([][]answer, total)
	var mu sync.Mutex
	var wg sync.WaitGroup
	errc := make(chan error, clients)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Client c posts entry i of the first pass when i%8 == c and of the second when
			// i%8 == c+1, alternating, so that the two posts of an entry overlap in time.
			for i := range total {
				if i%clients != c && i%clients != (c+1)%clients {
					continue
				}
				req := httptest.NewRequest("POST", path, bytes.NewReader(bodies[i]))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Idempotency-Key", fmt.Sprintf("batch-%04d", i))
				resp, err := env.app.Test(req, -1)
				if err != nil {
					errc <- fmt.Errorf("client %d, entry %d: %w", c, i, err)
					return
				}
				raw, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil {
					errc <- fmt.Errorf("client %d, entry %d: %w", c, i, err)
					return
				}
				mu.Lock()
				answers[i] = append(answers[i],
					answer{resp.StatusCode, resp.Header.Get("Idempotent-Replayed") == "true", raw})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		require.NoError(t, err)
	}

	for i, got := range answers {
		require.Len(t, got, 2, "entry %d posted twice", i)
		first, replay := got[0], got[1]
		if first.replayed {
			first, replay = replay, first
		}
		require.Equal(t, http.StatusCreated, first.status, "entry %d: %s", i, first.body)
		require.Equal(t, http.StatusOK, replay.status, "entry %d: %s", i, replay.body)
		require.True(t, replay.replayed, "entry %d: the second answer is a replay", i)
		require.JSONEq(t, string(first.body), string(replay.body), "entry %d: the replay is the first result", i)
	}

	got, _ := env.account(t, user.Regulator, a.ID)
	assert.Equal(t, wantHeld, got.HeldFen)
	assert.Equal(t, wantOutstanding, got.OutstandingFen)
	assert.EqualValues(t, total, got.AppliedSeq)

	ledger, _ := env.ledger(t, a.ID, 200)
	require.Len(t, ledger, total, "each entry stored once")
	keys := map[string]bool{}
	var held, outstanding int64
	for i, e := range ledger {
		require.EqualValues(t, i+1, e.Seq, "sequence numbers without gaps")
		keys[e.IdempotencyKey] = true
		if e.Type == "sale" {
			outstanding += e.AmountFen
		} else {
			held += e.AmountFen
		}
	}
	assert.Len(t, keys, total)
	assert.Equal(t, wantHeld, held, "the ledger sums to the figures")
	assert.Equal(t, wantOutstanding, outstanding)
}

// TestFundsAPI_OpenAPINamesTheKey checks the document tells clients of the Idempotency-Key
// header and of the If-Match of the account changes.
func TestFundsAPI_OpenAPINamesTheKey(t *testing.T) {
	env := newTestEnv(t)
	r := env.do(user.Public, "GET", "/api/openapi.json", nil)
	require.Equal(t, http.StatusOK, r.Status)
	var doc struct {
		Paths map[string]map[string]struct {
			Summary    string `json:"summary"`
			Parameters []struct {
				Name string `json:"name"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	r.JSON(t, &doc)
	post := doc.Paths["/api/v1/funds/accounts/{id}/entries"]["post"]
	assert.Contains(t, post.Summary, "Idempotency-Key")
	for _, action := range []string{"covers", "freeze", "unfreeze"} {
		op := doc.Paths["/api/v1/funds/accounts/{id}/"+action]["post"]
		var names []string
		for _, p := range op.Parameters {
			names = append(names, p.Name)
		}
		assert.Contains(t, names, "If-Match", action)
	}
	assert.True(t, strings.HasPrefix(doc.Paths["/api/v1/funds/accounts"]["post"].Summary, "Open"))
}
