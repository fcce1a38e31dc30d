package enforcement

import "time"

// Official is a person who conducts interviews or inspections for a department. Officials are
// never deleted; one who leaves is marked inactive and is no longer scheduled.
type Official struct {
	ID         string     `json:"id" bson:"_id"`
	Name       string     `json:"name" bson:"name"`
	Department Department `json:"department" bson:"department"`
	Title      string     `json:"title" bson:"title"`
	Phone      string     `json:"phone,omitempty" bson:"phone,omitempty"`
	Email      string     `json:"email,omitempty" bson:"email,omitempty"`
	Active     bool       `json:"active" bson:"active"`
	Version    int64      `json:"version" bson:"version"`
	CreatedAt  time.Time  `json:"created_at" bson:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at" bson:"updated_at"`
}

// OfficialInput is what is given to register an official.
type OfficialInput struct {
	Name       string     `json:"name"`
	Department Department `json:"department"`
	Title      string     `json:"title"`
	Phone      string     `json:"phone"`
	Email      string     `json:"email"`
}
