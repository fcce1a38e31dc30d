package registry

import "reflect"

// FieldChange is one field's value before and after a change, as the audit trail keeps it.
type FieldChange struct {
	From any `json:"from"`
	To   any `json:"to"`
}

// diffEnterprise returns the registration fields that differ between a and b, by JSON name.
func diffEnterprise(a, b *Enterprise) map[string]FieldChange {
	d := map[string]FieldChange{}
	add := func(name string, x, y any) {
		if !reflect.DeepEqual(x, y) {
			d[name] = FieldChange{From: x, To: y}
		}
	}
	add("name", a.Name, b.Name)
	add("aliases", a.Aliases, b.Aliases)
	add("legal_representative", a.LegalRepresentative, b.LegalRepresentative)
	add("registered_address", a.RegisteredAddress, b.RegisteredAddress)
	add("district", a.District, b.District)
	add("street", a.Street, b.Street)
	add("industry", a.Industry, b.Industry)
	add("contact_phone", a.ContactPhone, b.ContactPhone)
	add("status", a.Status, b.Status)
	add("stores", a.Stores, b.Stores)
	add("prepaid", a.Prepaid, b.Prepaid)
	return d
}
