package web

import (
	"context"
	"errors"

	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/store"
)

// editionCache loads each edition a page needs once per request, and each
// (edition, city) snapshot once: pages that list many programs of a few
// editions would otherwise decode the same file for every row.
type editionCache struct {
	st    *store.Store
	ctx   context.Context
	eds   map[string]*edition.Edition
	snaps map[string]*edition.Snapshot
}

func (h *handler) editions(ctx context.Context) *editionCache {
	return &editionCache{st: h.Store, ctx: ctx, eds: map[string]*edition.Edition{}, snaps: map[string]*edition.Snapshot{}}
}

// get returns the latest version of an edition, or nil when none is stored.
func (c *editionCache) get(id string) (*edition.Edition, error) {
	if ed, ok := c.eds[id]; ok {
		return ed, nil
	}
	rec, err := c.st.GetEdition(c.ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		c.eds[id] = nil
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ed, err := rec.Decode()
	if err != nil {
		return nil, err
	}
	c.eds[id] = ed
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
	s, err := ed.Snapshot(city)
	if err != nil {
		// A program of a city since removed from the file: no dates.
		c.snaps[key] = nil
		return nil, nil
	}
	c.snaps[key] = &s
	return &s, nil
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
