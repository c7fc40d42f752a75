package access

import (
	"context"
	"errors"
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
//
// Over a Directory, a site names its account ("lab-primis:7"), and only that
// account is asked. When some accounts fail (the lister returns doors
// together with an error, as Directory.ListDoors does), the names are
// resolved from the doors that were listed: the ids are returned together
// with the listing's error (the joined *AccountError values), so a healthy
// account stays usable while another refuses its password. Check the ids
// before the error in that case; without a site a door of the same name in
// a failed account could not be seen. A name missing from an incomplete
// listing is not reported as ErrNotFound, since the door may be in an
// account that did not answer: the error is the listing's. A name that is
// ambiguous among the doors listed is ErrConflict all the same.
func ResolveDoorIDs(ctx context.Context, lister DoorLister, site string, names ...string) ([]string, error) {
	doors, listErr := listDoorsOn(ctx, lister, site)
	if listErr != nil && len(doors) == 0 {
		return nil, listErr
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
		if listErr == nil {
			return nil, err
		}
		var nameErr *DoorNameError
		if errors.As(err, &nameErr) && len(nameErr.Matches) == 0 {
			return nil, fmt.Errorf("access: no door named %q among the doors listed, and the listing is incomplete: %w", nameErr.Name, listErr)
		}
		return nil, errors.Join(err, listErr)
	}
	ids := make([]string, len(found))
	for i, d := range found {
		ids[i] = d.ID
	}
	return ids, listErr
}

// listDoorsOn lists the doors that may be on site: over a Directory whose
// site names an account, that account's doors only.
func listDoorsOn(ctx context.Context, lister DoorLister, site string) ([]Door, error) {
	if dir, ok := lister.(*Directory); ok && site != "" {
		if account, _, err := SplitID(site); err == nil {
			return dir.listAccountDoors(ctx, account)
		}
	}
	return lister.ListDoors(ctx)
}
