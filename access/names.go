package access

import (
	"context"
	"fmt"
	"strings"
)

// DoorNameError reports a door name that matched no door or more than one.
// A missing name matches ErrNotFound, an ambiguous one ErrConflict.
type DoorNameError struct {
	Name    string
	Matches []Door // the doors that share the name; empty when missing
}

func (e *DoorNameError) Error() string {
	if len(e.Matches) == 0 {
		return fmt.Sprintf("access: no door is named %q", e.Name)
	}
	ids := make([]string, len(e.Matches))
	for i, d := range e.Matches {
		ids[i] = d.ID
		if d.Site != "" {
			ids[i] = d.Site + "/" + d.ID
		}
	}
	return fmt.Sprintf("access: door name %q is ambiguous: %d doors (%s)", e.Name, len(e.Matches), strings.Join(ids, ", "))
}

// Is matches ErrNotFound for a missing name and ErrConflict for an ambiguous one.
func (e *DoorNameError) Is(target error) bool {
	if len(e.Matches) == 0 {
		return target == ErrNotFound
	}
	return target == ErrConflict
}

// FindDoors returns, in order, the door named by each of names. Matching is
// exact and case-sensitive on the display name, because names are what stay
// stable: a vendor may renumber ids (resivo does on a site migration) while
// display names are unique per site. Narrow doors to one site first when the
// same name exists on several.
func FindDoors(doors []Door, names ...string) ([]Door, error) {
	byName := make(map[string][]Door, len(doors))
	for _, d := range doors {
		byName[d.Name] = append(byName[d.Name], d)
	}
	out := make([]Door, 0, len(names))
	for _, name := range names {
		matches := byName[name]
		if len(matches) != 1 {
			return nil, &DoorNameError{Name: name, Matches: matches}
		}
		out = append(out, matches[0])
	}
	return out, nil
}

// ResolveDoorIDs lists the doors and returns the current id of each named
// door, in the order of names. Call it on every booking trigger rather than
// caching ids. An empty site means all sites.
func ResolveDoorIDs(ctx context.Context, lister DoorLister, site string, names ...string) ([]string, error) {
	doors, err := lister.ListDoors(ctx)
	if err != nil {
		return nil, err
	}
	if site != "" {
		onSite := doors[:0:0]
		for _, d := range doors {
			if d.Site == site {
				onSite = append(onSite, d)
			}
		}
		doors = onSite
	}
	found, err := FindDoors(doors, names...)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(found))
	for i, d := range found {
		ids[i] = d.ID
	}
	return ids, nil
}
