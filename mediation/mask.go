package mediation

import (
	"strings"

	"prepaidreg/internal/audit"
	"prepaidreg/registry"
)

// Roles as the mediation module knows them.
const (
	RoleRegulator  = "regulator"
	RoleSupervisor = "supervisor"
	RoleMediator   = "mediator"
)

// staff reports whether the actor may do everything with cases: regulators and supervisors.
func staff(a audit.Actor) bool { return a.Role == RoleRegulator || a.Role == RoleSupervisor }

// handles reports whether the actor works the case: staff, or the mediator assigned to it.
func handles(a audit.Actor, c *Case) bool {
	return staff(a) || (a.Role == RoleMediator && c.Mediator != "" && c.Mediator == a.Username)
}

// inPool reports whether the case waits in the open pool for a mediator.
func (c *Case) inPool() bool { return c.State == StateAccepted && c.Mediator == "" }

// MaskIDNumber keeps the first six and the last four characters of an identity card number
// and hides the rest: 110105199001011234 → 110105********1234. Short values are hidden whole.
func MaskIDNumber(id string) string {
	r := []rune(strings.TrimSpace(id))
	if len(r) <= 10 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:6]) + strings.Repeat("*", len(r)-10) + string(r[len(r)-4:])
}

// maskClaim hides the consumer's name, phone and identity number (张*, 138****1234).
func maskClaim(cl Claim) Claim {
	cl.ConsumerName = registry.MaskName(cl.ConsumerName)
	cl.ConsumerPhone = registry.MaskPhone(cl.ConsumerPhone)
	if cl.IDNumber != "" {
		cl.IDNumber = MaskIDNumber(cl.IDNumber)
	}
	return cl
}

// masked returns a copy of c whose claims show no consumer in full.
func (c *Case) masked() *Case {
	out := *c
	out.Claims = make([]Claim, len(c.Claims))
	for i, cl := range c.Claims {
		out.Claims[i] = maskClaim(cl)
	}
	return &out
}

// withheld stands in the place of free text a viewer may not read.
const withheld = "（接案后可见）"

// viewFor returns c as actor may see it: in full for staff and the assigned mediator. Anyone
// else (a mediator looking at the open pool) sees the consumers masked and none of the free
// text, which often names them: the facts, session notes and offers' terms, and the notes of
// the timeline.
func viewFor(a audit.Actor, c *Case) *Case {
	if handles(a, c) {
		return c
	}
	out := c.masked()
	if out.Facts != "" {
		out.Facts = withheld
	}
	out.Sessions = make([]Session, len(c.Sessions))
	for i, ss := range c.Sessions {
		ss.Notes, ss.Attendees = withheld, nil
		offers := make([]Offer, len(ss.Offers))
		for j, o := range ss.Offers {
			o.Terms = withheld
			offers[j] = o
		}
		ss.Offers = offers
		out.Sessions[i] = ss
	}
	out.Timeline = make([]Event, len(c.Timeline))
	for i, e := range c.Timeline {
		if e.Note != "" {
			e.Note = withheld
		}
		out.Timeline[i] = e
	}
	return out
}
