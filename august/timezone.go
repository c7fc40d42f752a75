package august

import (
	"fmt"
	"time"

	// A door's zone must load on any host, including containers without a
	// zone database: the embedded copy is used when the system has none.
	_ "time/tzdata"

	"github.com/doorkit/doorkit/access"
)

// doorTimeZone returns the IANA name of the zone August said (lock info's
// timeZone) for access.Door.TimeZone. A known alias gets its IANA name; a
// name Go cannot load gives "" and a NoticeTimeZoneUnknown notice. Nothing
// said is "" without a notice.
func doorTimeZone(said string) (string, *access.Notice) {
	if said == "" {
		return "", nil
	}
	name := ianaZone(said)
	// "Local" would load the host's own zone, which says nothing about the
	// door.
	if name != "Local" {
		if _, err := time.LoadLocation(name); err == nil {
			return name, nil
		}
	}
	return "", &access.Notice{Code: NoticeTimeZoneUnknown, Field: "TimeZone",
		Message: fmt.Sprintf("August gave time zone %q, which is no zone Go knows; the lock's TimeZone keeps it", said)}
}

// ianaZone maps zone names that are not IANA's own to the IANA name:
// "Pacific/Hawaii" (in recorded lock info; no zone database has it),
// Windows names, and IANA's backward links (US/Pacific, Asia/Calcutta),
// which load but are kept by IANA only for old data. Other names are
// returned as they are.
func ianaZone(name string) string {
	switch name {
	case "Pacific/Hawaii", "US/Hawaii", "Hawaiian Standard Time":
		return "Pacific/Honolulu"
	case "US/Alaska", "Alaskan Standard Time":
		return "America/Anchorage"
	case "US/Aleutian":
		return "America/Adak"
	case "US/Pacific", "Pacific Standard Time":
		return "America/Los_Angeles"
	case "US/Arizona", "US Mountain Standard Time":
		return "America/Phoenix"
	case "US/Mountain", "Mountain Standard Time":
		return "America/Denver"
	case "US/Central", "Central Standard Time":
		return "America/Chicago"
	case "US/Eastern", "Eastern Standard Time":
		return "America/New_York"
	case "US/East-Indiana":
		return "America/Indiana/Indianapolis"
	case "US/Michigan":
		return "America/Detroit"
	case "US/Samoa":
		return "Pacific/Pago_Pago"
	case "Canada/Pacific":
		return "America/Vancouver"
	case "Canada/Mountain":
		return "America/Edmonton"
	case "Canada/Central":
		return "America/Winnipeg"
	case "Canada/Eastern":
		return "America/Toronto"
	case "Canada/Atlantic", "Atlantic Standard Time":
		return "America/Halifax"
	case "Canada/Newfoundland", "Newfoundland Standard Time":
		return "America/St_Johns"
	case "GB", "GMT Standard Time":
		return "Europe/London"
	case "W. Europe Standard Time":
		return "Europe/Berlin"
	case "Romance Standard Time":
		return "Europe/Paris"
	case "Europe/Kiev":
		return "Europe/Kyiv"
	case "Asia/Calcutta":
		return "Asia/Kolkata"
	case "Asia/Saigon":
		return "Asia/Ho_Chi_Minh"
	case "Asia/Katmandu":
		return "Asia/Kathmandu"
	case "Asia/Rangoon":
		return "Asia/Yangon"
	case "America/Buenos_Aires":
		return "America/Argentina/Buenos_Aires"
	case "Australia/ACT", "Australia/NSW", "AUS Eastern Standard Time":
		return "Australia/Sydney"
	}
	return name
}
