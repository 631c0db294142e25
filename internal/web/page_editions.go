package web

import (
	"context"
	"errors"
	"sync"

	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/store"
)

// editionCache loads each edition a page needs once per request, and each
// (edition, city) snapshot once: pages that list many programs of a few
// editions would otherwise decode the same file for every row.
type editionCache struct {
	st     *store.Store
	ctx    context.Context
	heads  map[string]store.Edition
	eds    map[string]*edition.Edition
	hashes map[string]string
	snaps  map[string]*edition.Snapshot
}

func (h *handler) editions(ctx context.Context) *editionCache {
	return &editionCache{st: h.Store, ctx: ctx, eds: map[string]*edition.Edition{}, hashes: map[string]string{}, snaps: map[string]*edition.Snapshot{}}
}

// decoded keeps editions decoded, and their cities' snapshots, by the
// hash of their file: a version never changes, so every request may share
// them (pages read them; none changes them). At most decodedMax files.
var decoded = struct {
	sync.Mutex
	eds   map[string]*edition.Edition
	snaps map[string]*edition.Snapshot
}{eds: map[string]*edition.Edition{}, snaps: map[string]*edition.Snapshot{}}

const decodedMax = 64

// decodeHead is the edition head names (EditionHeads: without its file),
// decoded, reading its file only when no request decoded it before.
func decodeHead(ctx context.Context, st *store.Store, head store.Edition) (*edition.Edition, error) {
	decoded.Lock()
	ed, ok := decoded.eds[head.Hash]
	decoded.Unlock()
	if ok && head.Hash != "" {
		return ed, nil
	}
	rec, err := st.EditionVersion(ctx, head.ID, head.Version)
	if err != nil {
		return nil, err
	}
	return decode(rec)
}

// decode is rec decoded, from decoded when it was already.
func decode(rec store.Edition) (*edition.Edition, error) {
	decoded.Lock()
	ed, ok := decoded.eds[rec.Hash]
	decoded.Unlock()
	if ok && rec.Hash != "" {
		return ed, nil
	}
	ed, err := rec.Decode()
	if err != nil || rec.Hash == "" {
		return ed, err
	}
	decoded.Lock()
	defer decoded.Unlock()
	if len(decoded.eds) >= decodedMax {
		clear(decoded.eds)
		clear(decoded.snaps)
	}
	decoded.eds[rec.Hash] = ed
	return ed, nil
}

// snapshotOf is ed's snapshot for city (hash names ed's file), or nil when
// the edition has no such city.
func snapshotOf(hash string, ed *edition.Edition, city string) *edition.Snapshot {
	key := hash + "\x00" + city
	decoded.Lock()
	s, ok := decoded.snaps[key]
	decoded.Unlock()
	if ok {
		return s
	}
	if snap, err := ed.Snapshot(city); err == nil {
		s = &snap
	}
	if hash != "" {
		decoded.Lock()
		if _, known := decoded.eds[hash]; known {
			decoded.snaps[key] = s
		}
		decoded.Unlock()
	}
	return s
}

// setHeads gives the cache every edition's head (store.EditionHeads),
// read with other queries: get then reads no more than files not decoded
// before.
func (c *editionCache) setHeads(heads []store.Edition) {
	c.heads = map[string]store.Edition{}
	for _, h := range heads {
		c.heads[h.ID] = h
	}
}

// get returns the latest version of an edition, or nil when none is stored.
func (c *editionCache) get(id string) (*edition.Edition, error) {
	if ed, ok := c.eds[id]; ok {
		return ed, nil
	}
	if c.heads == nil {
		heads, err := c.st.EditionHeads(c.ctx)
		if err != nil {
			return nil, err
		}
		c.setHeads(heads)
	}
	head, ok := c.heads[id]
	if !ok {
		c.eds[id] = nil
		return nil, nil
	}
	ed, err := decodeHead(c.ctx, c.st, head)
	if errors.Is(err, store.ErrNotFound) {
		// Removed since its head was read.
		c.eds[id] = nil
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	c.eds[id], c.hashes[id] = ed, head.Hash
	return ed, nil
}

// snapshot is the edition frozen for a city (zone, dates, coordinators),
// or nil when the edition or city is unknown.
func (c *editionCache) snapshot(id, city string) (*edition.Snapshot, error) {
	key := id + "\x00" + city
	if s, ok := c.snaps[key]; ok {
		return s, nil
	}
	ed, err := c.get(id)
	if err != nil || ed == nil {
		return nil, err
	}
	// A program of a city since removed from the file has no dates (nil).
	s := snapshotOf(c.hashes[id], ed, city)
	c.snaps[key] = s
	return s, nil
}

// themeTitle is a theme's title in l, or its id when unknown.
func (c *editionCache) themeTitle(id, theme, l string) string {
	if theme == "" {
		return ""
	}
	ed, err := c.get(id)
	if err != nil || ed == nil {
		return theme
	}
	if t, ok := ed.Theme(theme); ok {
		return textIn(t.Title, l)
	}
	return theme
}

// textIn picks a bilingual wording.
func textIn(t edition.Text, l string) string {
	if l == "en" && t.EN != "" {
		return t.EN
	}
	return t.FR
}
