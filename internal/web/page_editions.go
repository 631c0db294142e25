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
	st      *store.Store
	decoded *decodedEditions
	ctx     context.Context
	heads   map[string]store.Edition
	eds     map[string]*edition.Edition
	hashes  map[string]string
	snaps   map[string]*edition.Snapshot
}

func (h *handler) editions(ctx context.Context) *editionCache {
	return &editionCache{st: h.Store, decoded: h.decoded, ctx: ctx, eds: map[string]*edition.Edition{}, hashes: map[string]string{}, snaps: map[string]*edition.Snapshot{}}
}

// decodedEditions keeps editions decoded, and their cities' snapshots, by
// the hash of their file: a version never changes, so every request may
// share them (pages and starts read them; none changes them). One per
// handler; at most decodedMax files, emptied when full.
type decodedEditions struct {
	mu    sync.Mutex
	eds   map[string]*edition.Edition
	snaps map[string]*edition.Snapshot
}

const decodedMax = 64

func newDecodedEditions() *decodedEditions {
	return &decodedEditions{eds: map[string]*edition.Edition{}, snaps: map[string]*edition.Snapshot{}}
}

// head is the edition head names (EditionHeads, EditionHead: without its
// file), decoded, reading its file only when no request decoded it before.
func (d *decodedEditions) head(ctx context.Context, st *store.Store, head store.Edition) (*edition.Edition, error) {
	d.mu.Lock()
	ed, ok := d.eds[head.Hash]
	d.mu.Unlock()
	if ok && head.Hash != "" {
		return ed, nil
	}
	rec, err := st.EditionVersion(ctx, head.ID, head.Version)
	if err != nil {
		return nil, err
	}
	return d.decode(rec)
}

// decode is rec decoded, from the cache when it was already.
func (d *decodedEditions) decode(rec store.Edition) (*edition.Edition, error) {
	d.mu.Lock()
	ed, ok := d.eds[rec.Hash]
	d.mu.Unlock()
	if ok && rec.Hash != "" {
		return ed, nil
	}
	ed, err := rec.Decode()
	if err != nil || rec.Hash == "" {
		return ed, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.eds) >= decodedMax {
		clear(d.eds)
		clear(d.snaps)
	}
	d.eds[rec.Hash] = ed
	return ed, nil
}

// snapshot is ed's snapshot for city (hash names ed's file), or nil when
// the edition has no such city.
func (d *decodedEditions) snapshot(hash string, ed *edition.Edition, city string) *edition.Snapshot {
	key := hash + "\x00" + city
	d.mu.Lock()
	s, ok := d.snaps[key]
	d.mu.Unlock()
	if ok {
		return s
	}
	if snap, err := ed.Snapshot(city); err == nil {
		s = &snap
	}
	if hash != "" {
		d.mu.Lock()
		if _, known := d.eds[hash]; known {
			d.snaps[key] = s
		}
		d.mu.Unlock()
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
	ed, err := c.decoded.head(c.ctx, c.st, head)
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
	s := c.decoded.snapshot(c.hashes[id], ed, city)
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
