package registry

// NameIndex finds the enterprise a complaint names, by code or by name key, without a store
// round trip per complaint. An import loads it once.
type NameIndex struct {
	codes map[USCC]bool
	keys  map[string]USCC
	// ambiguous holds keys that more than one enterprise answers to; they link nothing.
	ambiguous map[string]bool
}

func newNameIndex() *NameIndex {
	return &NameIndex{codes: map[USCC]bool{}, keys: map[string]USCC{}, ambiguous: map[string]bool{}}
}

func (x *NameIndex) add(uscc USCC, keys []string) {
	x.codes[uscc] = true
	for _, k := range keys {
		if other, taken := x.keys[k]; taken && other != uscc {
			x.ambiguous[k] = true
			continue
		}
		x.keys[k] = uscc
	}
}

// Match returns the enterprise the complaint names and how it was found: "uscc" when the
// reported code is on file, else "name" when the reported name's key belongs to exactly one
// enterprise.
func (x *NameIndex) Match(reportedUSCC USCC, reportedKey string) (USCC, string) {
	if reportedUSCC != "" && x.codes[reportedUSCC] {
		return reportedUSCC, "uscc"
	}
	if reportedKey == "" || x.ambiguous[reportedKey] {
		return "", ""
	}
	if u, ok := x.keys[reportedKey]; ok {
		return u, "name"
	}
	return "", ""
}
