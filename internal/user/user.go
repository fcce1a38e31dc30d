// Package user keeps the people who use the registry, their roles, API tokens, passwords and
// console sessions. Secrets are stored only as hashes.
package user

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"
)

// Role is what a user may do; the API's route table says which roles may use each route.
type Role string

// The roles of DESIGN.md. Public is the role of a request with no credentials.
const (
	Public      Role = "public"
	Regulator   Role = "regulator"
	Supervisor  Role = "supervisor"
	Mediator    Role = "mediator"
	FundOfficer Role = "fund_officer"
	Admin       Role = "admin"
)

// Roles lists the roles a user account can have.
var Roles = []Role{Regulator, Supervisor, Mediator, FundOfficer, Admin}

var roleLabels = map[Role]string{
	Public:      "公众",
	Regulator:   "市场监管人员",
	Supervisor:  "审核负责人",
	Mediator:    "调解员",
	FundOfficer: "资金监管人员",
	Admin:       "系统管理员",
}

// Label returns the role's Chinese name.
func (r Role) Label() string { return roleLabels[r] }

// ParseRole returns the role named s, if it is a role an account can have.
func ParseRole(s string) (Role, bool) {
	for _, r := range Roles {
		if string(r) == s {
			return r, true
		}
	}
	return "", false
}

// User is an account.
type User struct {
	Username     string    `bson:"_id" json:"username"`
	Role         Role      `bson:"role" json:"role"`
	Disabled     bool      `bson:"disabled" json:"disabled"`
	PasswordHash string    `bson:"password_hash,omitempty" json:"-"`
	TokenHash    string    `bson:"token_hash,omitempty" json:"-"`
	Version      int64     `bson:"version" json:"version"`
	CreatedAt    time.Time `bson:"created_at" json:"created_at"`
	UpdatedAt    time.Time `bson:"updated_at" json:"updated_at"`
}

// Session is a signed-in console session.
type Session struct {
	// ID is the hash of the cookie value.
	ID        string     `bson:"_id"`
	Username  string     `bson:"username"`
	CSRF      string     `bson:"csrf"`
	CreatedAt time.Time  `bson:"created_at"`
	ExpiresAt time.Time  `bson:"expires_at"`
	EndedAt   *time.Time `bson:"ended_at,omitempty"`
}

// tokenPrefix marks API tokens so that a leaked one is recognisable.
const tokenPrefix = "ppr_"

// newSecret returns a random URL-safe secret of 32 bytes.
func newSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("user: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashSecret hashes a high-entropy secret for lookup. A fast hash suffices: a token has 256
// random bits, so it cannot be guessed from its hash.
func hashSecret(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
