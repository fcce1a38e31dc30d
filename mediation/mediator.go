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

// Body is a mediation body.
type Body struct {
	ID        string    `json:"id" bson:"_id"`
	Name      string    `json:"name" bson:"name"`
	Kind      BodyKind  `json:"kind" bson:"kind"`
	Version   int64     `json:"version" bson:"version"`
	CreatedAt time.Time `json:"created_at" bson:"created_at"`
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
	Active     bool                `json:"active" bson:"active"`
	Version    int64               `json:"version" bson:"version"`
	UpdatedAt  time.Time           `json:"updated_at" bson:"updated_at"`
}
