package august

import (
	"net/http"
	"strings"
	"testing"

	"github.com/doorkit/doorkit/internal/rest"
)

// FuzzDecodeEvents: any body decodes or is refused without panicking, and
// a decoded event classifies and keys itself.
func FuzzDecodeEvents(f *testing.F) {
	for _, name := range []string{"event_operation.json", "event_pincommand.json", "event_battery.json", "activity_v4.json"} {
		f.Add(harness.Body(f, name))
	}
	f.Add(`[{"eventID":"a"},{"status":"kAugLockState_Locked","lockID":"L"}]`)
	f.Add(`{"dateTime":"x","slot":1e99}`)
	f.Fuzz(func(t *testing.T, body string) {
		evs, err := decodeEvents([]byte(body), DefaultMaxEvents)
		if err != nil {
			return
		}
		for i := range evs {
			_ = evs[i].Kind()
			_ = evs[i].keys()
			_, _ = evs[i].Failed()
		}
	})
}

// FuzzDecodeError: any error body gives an *Error with a message.
func FuzzDecodeError(f *testing.F) {
	f.Add(422, `{"code":98,"message":"Bridge is offline"}`)
	f.Add(403, `{"code":"Forbidden","message":"API key is not valid"}`)
	f.Add(530, `{"code":[1]}`)
	f.Fuzz(func(t *testing.T, status int, body string) {
		if status < 100 || status > 999 {
			return
		}
		resp := &http.Response{StatusCode: status, Header: http.Header{},
			Request: &http.Request{Method: "PUT", URL: mustURL("https://august.test/remoteoperate/X/unlock")}}
		err := decodeError(resp, []byte(body))
		e, ok := err.(*Error)
		if !ok || e.Message == "" || e.Error() == "" {
			t.Fatalf("decodeError(%d, %q) = %v", status, body, err)
		}
	})
}

// FuzzLockIDPath: an id the validator accepts builds a path of exactly the
// template's shape.
func FuzzLockIDPath(f *testing.F) {
	f.Add(testLockID)
	f.Add("../../users/locks/mine")
	f.Add("6C608ED2DD47AB4B97249C8C7F883BF%")
	f.Fuzz(func(t *testing.T, id string) {
		if checkLockID(id) != nil {
			return
		}
		p, err := rest.BuildPath(routeLockStatus, id)
		if err != nil || p != "locks/"+id+"/status" || strings.Count(p, "/") != 2 {
			t.Fatalf("id %q accepted but path %q (%v)", id, p, err)
		}
	})
}
