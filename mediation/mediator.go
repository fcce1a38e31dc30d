package mediation

import (
	"time"

	"prepaidreg/registry"
)

// BodyKind is the kind of organisation a mediation body is.
type BodyKind string

// Mediation bodies (多元调解): the bureau's own staff, the consumer association, industry
// mediation committees and people's mediation committees.
const (
	BodyBureau              BodyKind = "bureau"
	BodyConsumerAssociation BodyKind = "consumer_association"
	BodyIndustry            BodyKind = "industry"
	BodyPeoples             BodyKind = "peoples"
)

var bodyKindLabels = map[BodyKind]string{
	BodyBureau:              "行政调解",
	BodyConsumerAssociation: "消费者协会调解",
	BodyIndustry:            "行业调解",
	BodyPeoples:             "人民调解",
}

// Label names the kind in Chinese, as 人民调解.
func (k BodyKind) Label() string { return bodyKindLabels[k] }

// Valid reports whether k is one of the kinds above.
func (k BodyKind) Valid() bool { _, ok := bodyKindLabels[k]; return ok }

// Body is a mediation body.
type Body struct {
	ID        string    `json:"id" bson:"_id"`
	Name      string    `json:"name" bson:"name"`
	Kind      BodyKind  `json:"kind" bson:"kind"`
	Version   int64     `json:"version" bson:"version"`
	CreatedAt time.Time `json:"created_at" bson:"created_at"`
}

// BodyInput is what a new mediation body is made from.
type BodyInput struct {
	Name string   `json:"name"`
	Kind BodyKind `json:"kind"`
}

// Mediator is a user with the mediator role as the module knows them: their body, the
// industries and districts they know, and the enterprises they must never mediate for
// (conflicts of interest).
type Mediator struct {
	Username   string              `json:"username" bson:"_id"`
	Name       string              `json:"name" bson:"name"`
	Body       string              `json:"body" bson:"body"`
	Industries []registry.Industry `json:"industries" bson:"industries"`
	Districts  []string            `json:"districts" bson:"districts"`
	Conflicts  []registry.USCC     `json:"conflicts" bson:"conflicts"`
	// ConflictNotes keeps, for each code of Conflicts, why and by whom it was recorded.
	ConflictNotes []ConflictNote `json:"conflict_notes" bson:"conflict_notes"`
	Active        bool           `json:"active" bson:"active"`
	Version       int64          `json:"version" bson:"version"`
	UpdatedAt     time.Time      `json:"updated_at" bson:"updated_at"`
}

// ConflictNote is a conflict of interest recorded against an enterprise: a mediator who has
// worked for it, is related to its people or has any other stake never mediates its cases
// (《人民调解法》第二十三条: a party may ask for a mediator to be replaced).
type ConflictNote struct {
	USCC       registry.USCC `json:"uscc" bson:"uscc"`
	Reason     string        `json:"reason" bson:"reason"`
	RecordedBy string        `json:"recorded_by" bson:"recorded_by"`
	RecordedAt time.Time     `json:"recorded_at" bson:"recorded_at"`
}

// MediatorInput is what a mediator is registered from. Username is an existing user account
// with the mediator role; the API layer checks that, since the module cannot see users.
type MediatorInput struct {
	Username   string              `json:"username"`
	Name       string              `json:"name"`
	Body       string              `json:"body"`
	Industries []registry.Industry `json:"industries"`
	Districts  []string            `json:"districts"`
}

// HasConflict reports whether a conflict of interest is recorded against the enterprise.
func (m *Mediator) HasConflict(code registry.USCC) bool {
	for _, c := range m.Conflicts {
		if c == code {
			return true
		}
	}
	return false
}

func (m *Mediator) target() string { return "mediator/" + m.Username }

func (b *Body) target() string { return "mediation_body/" + b.ID }
