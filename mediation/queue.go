package mediation

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
)

// Queue page sizes.
const (
	DefaultQueueLimit = 50
	MaxQueueLimit     = 100
)

// QueueQuery asks for a page of a queue. Cursor continues the list of cases, PoolCursor the
// open pool; each is the next_cursor of the page before.
type QueueQuery struct {
	Limit      int
	Cursor     string
	PoolCursor string
}

// QueueItem is one case as a queue lists it. Consumers are masked unless the reader works the
// case.
type QueueItem struct {
	ID             string         `json:"id"`
	USCC           string         `json:"uscc"`
	EnterpriseName string         `json:"enterprise_name"`
	State          State          `json:"state"`
	StateLabel     string         `json:"state_label"`
	Mediator       string         `json:"mediator,omitempty"`
	Consumers      []string       `json:"consumers"`
	ClaimFen       int64          `json:"claim_fen"`
	NextDeadline   *time.Time     `json:"next_deadline,omitempty"`
	Flag           DeadlineStatus `json:"flag,omitempty"` // near or overdue
	Version        int64          `json:"version"`
}

// Queue is a reader's work: Cases are a mediator's own open cases, or every open case for
// staff, the earliest next deadline first and those with nothing due last; Pool holds the
// accepted cases waiting for a mediator, the same way.
type Queue struct {
	Cases          []QueueItem `json:"cases"`
	NextCursor     string      `json:"next_cursor,omitempty"`
	Pool           []QueueItem `json:"pool"`
	PoolNextCursor string      `json:"pool_next_cursor,omitempty"`
}

// Queue returns the actor's queue. Each list is one query with a sort and a limit, so a
// queue costs the same two round trips however many cases are open.
func (s *Service) Queue(ctx context.Context, actor audit.Actor, q QueueQuery) (*Queue, error) {
	const op = "mediation.Queue"
	var mine QueueFilter
	switch {
	case staff(actor):
	case actor.Role == RoleMediator:
		mine.Mediator = actor.Username
	default:
		return nil, errs.E(errs.Forbidden, op, errNoMediate)
	}
	limit := q.Limit
	if limit <= 0 || limit > MaxQueueLimit {
		limit = DefaultQueueLimit
	}
	after, err := parseCursor(op, "cursor", q.Cursor)
	if err != nil {
		return nil, err
	}
	poolAfter, err := parseCursor(op, "pool_cursor", q.PoolCursor)
	if err != nil {
		return nil, err
	}

	now := s.clock()
	out := &Queue{}
	out.Cases, out.NextCursor, err = s.queueList(ctx, actor, mine, after, limit, now)
	if err != nil {
		return nil, err
	}
	pool := QueueFilter{States: []State{StateAccepted}}
	out.Pool, out.PoolNextCursor, err = s.queueList(ctx, actor, pool, poolAfter, limit, now)
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) queueList(
	ctx context.Context, actor audit.Actor, f QueueFilter, after *QueuePosition, limit int, now time.Time,
) ([]QueueItem, string, error) {
	cases, err := s.store.QueueCases(ctx, f, after, limit+1)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(cases) > limit {
		cases = cases[:limit]
		last := cases[limit-1]
		next = formatCursor(QueuePosition{QueueAt: last.QueueAt, ID: last.ID})
	}
	items := make([]QueueItem, 0, len(cases))
	for i := range cases {
		items = append(items, s.queueItem(actor, &cases[i], now))
	}
	return items, next, nil
}

func (s *Service) queueItem(actor audit.Actor, c *Case, now time.Time) QueueItem {
	v := viewFor(actor, c)
	names := make([]string, len(v.Claims))
	for i, cl := range v.Claims {
		names[i] = cl.ConsumerName
	}
	return QueueItem{
		ID: c.ID, USCC: string(c.USCC), EnterpriseName: c.EnterpriseName, State: c.State, StateLabel: c.State.Label(),
		Mediator: c.Mediator, Consumers: names, ClaimFen: c.ClaimedFen(), NextDeadline: c.NextDeadline,
		Flag: flag(deadlines(s.calendar, c, now)), Version: c.Version,
	}
}

// formatCursor writes a queue position as an opaque string.
func formatCursor(p QueuePosition) string {
	raw := strconv.FormatInt(p.QueueAt.UnixMilli(), 10) + "|" + p.ID
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func parseCursor(op, name, s string) (*QueuePosition, error) {
	if s == "" {
		return nil, nil
	}
	bad := errs.Fields(op, field(name, "无效的翻页标记 (invalid cursor)"))
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	ms, id, ok := strings.Cut(string(raw), "|")
	if !ok || !strings.HasPrefix(id, "MC-") || len(id) > 40 {
		return nil, bad
	}
	n, err := strconv.ParseInt(ms, 10, 64)
	if err != nil {
		return nil, bad
	}
	return &QueuePosition{QueueAt: time.UnixMilli(n).UTC(), ID: id}, nil
}
