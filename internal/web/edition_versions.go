package web

import (
	"context"
	"sync"

	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/store"
)

// maxCachedEditions bounds the decoded editions a server keeps; an edition
// is cached only once it was found in Postgres, so callers cannot grow it
// with made-up names, and it is emptied when full.
const maxCachedEditions = 64

// editionVersions keeps decoded editions and their cities' snapshots by
// version. Versions never change once stored, so a cached one is right
// until a newer version is applied; each use asks Postgres only for the
// newest version's number, a one-row index read, instead of reading and
// decoding the whole file and loading the time zones again.
type editionVersions struct {
	mu sync.Mutex
	m  map[string]*versionedEdition
}

type versionedEdition struct {
	version int
	ed      *edition.Edition
	snaps   map[string]edition.Snapshot
}

// get returns the latest version of an edition, decoded.
func (c *editionVersions) get(ctx context.Context, st *store.Store, id string) (*versionedEdition, error) {
	v, err := st.LatestEditionVersion(ctx, id)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	e := c.m[id]
	c.mu.Unlock()
	if e != nil && e.version == v {
		return e, nil
	}
	rec, err := st.GetEdition(ctx, id)
	if err != nil {
		return nil, err
	}
	ed, err := rec.Decode()
	if err != nil {
		return nil, err
	}
	e = &versionedEdition{version: rec.Version, ed: ed, snaps: map[string]edition.Snapshot{}}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedEditions {
		c.m = map[string]*versionedEdition{}
	}
	c.m[id] = e
	return e, nil
}

// snapshot is the edition as a program of that city sees it; the bounded
// list of cities makes the map bounded too.
func (c *editionVersions) snapshot(e *versionedEdition, city string) (edition.Snapshot, error) {
	c.mu.Lock()
	s, ok := e.snaps[city]
	c.mu.Unlock()
	if ok {
		return s, nil
	}
	s, err := e.ed.Snapshot(city)
	if err != nil {
		return edition.Snapshot{}, err
	}
	if _, known := e.ed.City(city); known || city == "" {
		c.mu.Lock()
		e.snaps[city] = s
		c.mu.Unlock()
	}
	return s, nil
}
