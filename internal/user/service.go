package user

import (
	"context"
	"fmt"
	"regexp"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
)

// Store is what the user service needs of its storage.
type Store interface {
	InsertUser(ctx context.Context, u *User) error
	GetUser(ctx context.Context, username string) (*User, error)
	UserByTokenHash(ctx context.Context, hash string) (*User, error)
	// UpdateUser writes u if the stored version is still u.Version-1; otherwise Stale.
	UpdateUser(ctx context.Context, u *User) error
	ListUsers(ctx context.Context) ([]User, error)
	CountUsers(ctx context.Context) (int64, error)
	InsertSession(ctx context.Context, s *Session) error
	GetSession(ctx context.Context, id string) (*Session, error)
	EndSession(ctx context.Context, id string, at time.Time) error
}

// Auditor records changes.
type Auditor interface {
	Append(ctx context.Context, e audit.Entry) (audit.Record, error)
}

// Service manages accounts and authenticates requests.
type Service struct {
	store      Store
	audit      Auditor
	now        func() time.Time
	bcryptCost int
	sessionTTL time.Duration
}

// NewService returns a Service on store.
func NewService(store Store, auditor Auditor) *Service {
	return &Service{
		store: store, audit: auditor, now: time.Now,
		bcryptCost: bcrypt.DefaultCost, sessionTTL: 8 * time.Hour,
	}
}

// SetBcryptCost sets the password hash cost; tests lower it to bcrypt.MinCost.
func (s *Service) SetBcryptCost(cost int) { s.bcryptCost = cost }

// SetClock replaces the clock; tests use it.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,31}$`)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// Added is a new account with its first API token, shown once.
type Added struct {
	User  *User
	Token string
}

// Add creates an account. An empty password leaves the account without console sign-in until
// one is set.
func (s *Service) Add(
	ctx context.Context,
	actor audit.Actor,
	username string,
	role Role,
	password string,
) (*Added, error) {
	const op = "user.Add"
	var fe []errs.FieldError
	if !usernamePattern.MatchString(username) {
		fe = append(fe, errs.FieldError{Field: "username",
			Message: "用户名为2至32位小写字母、数字、点、横线或下划线 (2–32 of a-z 0-9 . _ -)"})
	}
	if _, ok := ParseRole(string(role)); !ok {
		fe = append(fe, errs.FieldError{Field: "role",
			Message: "角色应为 regulator、supervisor、mediator、fund_officer、admin 之一 (unknown role)"})
	}
	if password != "" {
		fe = append(fe, checkPassword(password)...)
	}
	if len(fe) > 0 {
		return nil, errs.Fields(op, fe...)
	}

	now := s.now().UTC().Truncate(time.Millisecond)
	token := tokenPrefix + newSecret()
	u := &User{Username: username, Role: role, TokenHash: hashSecret(token), Version: 1, CreatedAt: now, UpdatedAt: now}
	if password != "" {
		h, err := bcrypt.GenerateFromPassword([]byte(password), s.bcryptCost)
		if err != nil {
			return nil, errs.Wrap(errs.Internal, op, err)
		}
		u.PasswordHash = string(h)
	}
	if err := s.store.InsertUser(ctx, u); err != nil {
		return nil, err
	}
	if err := s.record(ctx, actor, "user.create", u, map[string]any{"role": role, "password_set": password != ""}); err != nil {
		return nil, err
	}
	return &Added{User: u, Token: token}, nil
}

func checkPassword(pw string) []errs.FieldError {
	if utf8.RuneCountInString(pw) < MinPasswordLength || len(pw) > 72 {
		return []errs.FieldError{{Field: "password",
			Message: fmt.Sprintf("密码长度应为%d至72个字符 (%d to 72 characters)", MinPasswordLength, MinPasswordLength)}}
	}
	return nil
}

// List returns every account.
func (s *Service) List(ctx context.Context) ([]User, error) { return s.store.ListUsers(ctx) }

// Count returns the number of accounts.
func (s *Service) Count(ctx context.Context) (int64, error) { return s.store.CountUsers(ctx) }

// Disable stops an account from signing in or using its token. The account stays on file.
func (s *Service) Disable(ctx context.Context, actor audit.Actor, username string) (*User, error) {
	u, err := s.store.GetUser(ctx, username)
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return u, nil
	}
	u.Disabled = true
	if err := s.bump(ctx, u); err != nil {
		return nil, err
	}
	return u, s.record(ctx, actor, "user.disable", u, map[string]any{"disabled": true})
}

// NewToken replaces the account's API token and returns the new one; the old stops working.
func (s *Service) NewToken(ctx context.Context, actor audit.Actor, username string) (string, error) {
	u, err := s.store.GetUser(ctx, username)
	if err != nil {
		return "", err
	}
	token := tokenPrefix + newSecret()
	u.TokenHash = hashSecret(token)
	if err := s.bump(ctx, u); err != nil {
		return "", err
	}
	return token, s.record(ctx, actor, "user.token", u, map[string]any{"token": "replaced"})
}

// SetPassword replaces the account's password.
func (s *Service) SetPassword(ctx context.Context, actor audit.Actor, username, password string) error {
	if fe := checkPassword(password); fe != nil {
		return errs.Fields("user.SetPassword", fe...)
	}
	u, err := s.store.GetUser(ctx, username)
	if err != nil {
		return err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), s.bcryptCost)
	if err != nil {
		return errs.Wrap(errs.Internal, "user.SetPassword", err)
	}
	u.PasswordHash = string(h)
	if err := s.bump(ctx, u); err != nil {
		return err
	}
	return s.record(ctx, actor, "user.password", u, map[string]any{"password": "replaced"})
}

func (s *Service) bump(ctx context.Context, u *User) error {
	u.Version++
	u.UpdatedAt = s.now().UTC().Truncate(time.Millisecond)
	return s.store.UpdateUser(ctx, u)
}

func (s *Service) record(ctx context.Context, actor audit.Actor, action string, u *User, change any) error {
	_, err := s.audit.Append(ctx, audit.Entry{
		Actor: actor, Action: action, Target: "user/" + u.Username, Version: u.Version, Change: change,
	})
	if err != nil {
		return errs.Wrap(errs.Internal, action, err)
	}
	return nil
}

var errBadCredentials = errs.E(errs.Unauthenticated, "user.Authenticate", "凭据无效或已停用 (invalid or disabled credentials)")

// ByToken returns the enabled account whose API token is token.
func (s *Service) ByToken(ctx context.Context, token string) (*User, error) {
	if len(token) < len(tokenPrefix)+10 || len(token) > 200 {
		return nil, errBadCredentials
	}
	u, err := s.store.UserByTokenHash(ctx, hashSecret(token))
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			return nil, errBadCredentials
		}
		return nil, err
	}
	if u.Disabled {
		return nil, errBadCredentials
	}
	return u, nil
}

// SignIn checks a username and password and opens a console session. It returns the session
// and the cookie value, which is stored only as a hash.
func (s *Service) SignIn(ctx context.Context, username, password string) (*Session, string, error) {
	u, err := s.store.GetUser(ctx, username)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return nil, "", err
	}
	if u == nil || u.Disabled || u.PasswordHash == "" ||
		bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) != nil {
		return nil, "", errs.E(errs.Unauthenticated, "user.SignIn", "用户名或密码错误 (wrong username or password)")
	}
	cookie := newSecret()
	now := s.now().UTC().Truncate(time.Millisecond)
	sess := &Session{
		ID: hashSecret(cookie), Username: u.Username, CSRF: newSecret(),
		CreatedAt: now, ExpiresAt: now.Add(s.sessionTTL),
	}
	if err := s.store.InsertSession(ctx, sess); err != nil {
		return nil, "", err
	}
	return sess, cookie, nil
}

// BySession returns the open session for a cookie value and its enabled account.
func (s *Service) BySession(ctx context.Context, cookie string) (*Session, *User, error) {
	if cookie == "" || len(cookie) > 200 {
		return nil, nil, errBadCredentials
	}
	sess, err := s.store.GetSession(ctx, hashSecret(cookie))
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			return nil, nil, errBadCredentials
		}
		return nil, nil, err
	}
	// Sessions expire by the clock, not by a TTL index, which the embedded store lacks.
	if sess.EndedAt != nil || !s.now().Before(sess.ExpiresAt) {
		return nil, nil, errBadCredentials
	}
	u, err := s.store.GetUser(ctx, sess.Username)
	if err != nil || u.Disabled {
		return nil, nil, errBadCredentials
	}
	return sess, u, nil
}

// SignOut ends the session for a cookie value. The session record stays, marked ended.
func (s *Service) SignOut(ctx context.Context, cookie string) error {
	return s.store.EndSession(ctx, hashSecret(cookie), s.now().UTC())
}
