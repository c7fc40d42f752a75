package accesstest_test

import (
	"testing"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/access/accesstest"
)

func TestMemory(t *testing.T) {
	accesstest.Run(t, accesstest.Config{
		New: func(t *testing.T) accesstest.Fixture {
			m := accesstest.NewMemory(accesstest.MemoryDoors()...)
			m.Deny("m2")
			return accesstest.Fixture{Impl: m, Creates: m.Creates, Live: m.Live, LoseNextCreate: m.LoseNextCreate, FailListing: m.FailListings}
		},
		Caps: accesstest.Capabilities{DoorLister: true, DoorOpener: true, Granter: true,
			GrantGetter: true, GrantLister: true, GrantUpdater: true},
		OpenDoor:     "m1",
		DeniedDoor:   "m2",
		UnknownDoor:  "m9",
		GrantDoors:   []string{"m1", "m2"},
		Holder:       access.Person{Name: "Ada", Email: "ada@example.com"},
		OtherHolder:  access.Person{Name: "Bob", Email: "bob@example.com"},
		UnknownGrant: "g999",
		Labels:       true,
	})
}

func TestDirectoryOverMemory(t *testing.T) {
	accesstest.Run(t, accesstest.Config{
		New: func(t *testing.T) accesstest.Fixture {
			hq, lab := accesstest.NewMemory(accesstest.MemoryDoors()...), accesstest.NewMemory(accesstest.MemoryDoors()...)
			lab.Deny("m2")
			d := access.NewDirectory()
			if err := d.Add("hq", hq); err != nil {
				t.Fatal(err)
			}
			if err := d.Add("lab", lab); err != nil {
				t.Fatal(err)
			}
			return accesstest.Fixture{Impl: d, Creates: lab.Creates, Live: lab.Live, LoseNextCreate: lab.LoseNextCreate, FailListing: lab.FailListings}
		},
		Caps: accesstest.Capabilities{DoorLister: true, DoorOpener: true, Granter: true,
			GrantGetter: true, GrantLister: true, GrantUpdater: true},
		OpenDoor:     "hq:m1",
		DeniedDoor:   "lab:m2",
		UnknownDoor:  "hq:m9",
		GrantDoors:   []string{"lab:m1", "lab:m2"},
		Holder:       access.Person{Name: "Ada", Email: "ada@example.com"},
		OtherHolder:  access.Person{Name: "Bob", Email: "bob@example.com"},
		UnknownGrant: "lab:g999",
		Labels:       true,
	})
}
