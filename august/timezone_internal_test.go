package august

import (
	"encoding/json"
	"go/build"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The zone database is embedded, so a door's zone does not depend on the
// host's (a container without /usr/share/zoneinfo).
func TestZoneDatabaseEmbedded(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	require.NoError(t, err)
	assert.Contains(t, pkg.Imports, "time/tzdata")
}

func TestIANAZoneAliasesLoad(t *testing.T) {
	for _, name := range []string{
		"Pacific/Hawaii", "US/Hawaii", "Hawaiian Standard Time", "US/Alaska", "Alaskan Standard Time", "US/Aleutian",
		"US/Pacific", "Pacific Standard Time", "US/Arizona", "US Mountain Standard Time", "US/Mountain",
		"Mountain Standard Time", "US/Central", "Central Standard Time", "US/Eastern", "Eastern Standard Time",
		"US/East-Indiana", "US/Michigan", "US/Samoa", "Canada/Pacific", "Canada/Mountain", "Canada/Central",
		"Canada/Eastern", "Canada/Atlantic", "Atlantic Standard Time", "Canada/Newfoundland",
		"Newfoundland Standard Time", "GB", "GMT Standard Time", "W. Europe Standard Time", "Romance Standard Time",
		"Europe/Kiev", "Asia/Calcutta", "Asia/Saigon", "Asia/Katmandu", "Asia/Rangoon", "America/Buenos_Aires",
		"Australia/ACT", "Australia/NSW", "AUS Eastern Standard Time",
	} {
		iana := ianaZone(name)
		assert.NotEqual(t, name, iana, name)
		zone, notice := doorTimeZone(name)
		assert.Nil(t, notice, name)
		assert.Equal(t, iana, zone, name)
		_, err := time.LoadLocation(zone)
		assert.NoError(t, err, name)
	}
	zone, notice := doorTimeZone("Local")
	assert.Empty(t, zone, "the host's zone says nothing about the door")
	require.NotNil(t, notice)
	assert.Equal(t, NoticeTimeZoneUnknown, notice.Code)
	zone, notice = doorTimeZone("Europe/Oslo")
	assert.Equal(t, "Europe/Oslo", zone)
	assert.Nil(t, notice)
}

// Every recorded lock body's zone is a zone a door can carry; four say
// "Pacific/Hawaii".
func TestRecordedLockZones(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(realAnswers, "get_lock.*.json"))
	if len(files) == 0 {
		t.Skip("no recorded answers at " + realAnswers)
	}
	hawaii := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		var l Lock
		require.NoError(t, json.Unmarshal(b, &l), f)
		zone, notice := doorTimeZone(l.TimeZone)
		assert.Nil(t, notice, f)
		if l.TimeZone == "Pacific/Hawaii" {
			hawaii++
			assert.Equal(t, "Pacific/Honolulu", zone, f)
		}
	}
	assert.Equal(t, 4, hawaii)
}
