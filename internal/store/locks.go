package store

import (
	"hash/fnv"
	"slices"
	"sync"
)

// LockDocument locks the document id of collection for a conditional write and returns the
// unlock function. Every store of the process shares the same locks.
func LockDocument(collection, id string) (unlock func()) {
	return documents.Lock(collection + "/" + id)
}

// LockDocuments locks several documents of collection at once and returns the function that
// unlocks them all. Stripes are taken in ascending order, each once, so that two callers with
// overlapping sets never wait for each other in a cycle.
func LockDocuments(collection string, ids []string) (unlock func()) {
	var idx []int
	seen := map[int]bool{}
	for _, id := range ids {
		i := documents.stripe(collection + "/" + id)
		if !seen[i] {
			seen[i] = true
			idx = append(idx, i)
		}
	}
	slices.Sort(idx)
	for _, i := range idx {
		documents.stripes[i].Lock()
	}
	return func() {
		for _, i := range idx {
			documents.stripes[i].Unlock()
		}
	}
}

var documents Locks

// Locks serialises this process's conditional writes to the same document.
//
// The embedded store (FerretDB 1.24 on SQLite) does not apply an update's filter and its
// change atomically: two updates guarded by the same version can both match and both write,
// losing one (TestService_ConcurrentUpdatesOneWins shows it), and two $inc on one document can
// lose a count. The embedded store is only ever opened by one process (the data directory is
// locked), so holding a lock per document around such writes makes them atomic there. On
// MongoDB the server already guarantees it and the lock only costs a few nanoseconds.
type Locks struct {
	stripes [256]sync.Mutex
}

// Lock locks the stripe for key and returns its unlock function.
func (l *Locks) Lock(key string) (unlock func()) {
	m := &l.stripes[l.stripe(key)]
	m.Lock()
	return m.Unlock
}

func (l *Locks) stripe(key string) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	return int(h.Sum32() % uint32(len(l.stripes)))
}
