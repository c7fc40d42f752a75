package augusttest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var (
	lockIDPattern = regexp.MustCompile(`^[0-9A-F]{32}$`)
	uuidPattern   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

const maxBody = 1 << 20

func (s *Server) handler() http.Handler {
	mux := http.NewServeMux()
	// OAuth (auth.august.com in production; the same server here).
	mux.HandleFunc("GET /authorization", s.authorize)
	mux.HandleFunc("POST /access_token", s.accessToken)

	mux.HandleFunc("GET /users/locks/mine", s.authed(s.listLocks))
	mux.HandleFunc("GET /locks/{lockID}", s.authed(s.getLock))
	mux.HandleFunc("DELETE /locks/{lockID}", s.authed(s.deleteLock))
	mux.HandleFunc("GET /locks/{lockID}/status", s.authed(s.lockStatus))
	mux.HandleFunc("PUT /locks/adduser/{lockID}/{otherUserID}/{type}", s.authed(s.addUser))
	mux.HandleFunc("PUT /locks/{lockID}/{otherUserID}/{type}", s.authed(s.changeUserType))
	mux.HandleFunc("DELETE /locks/{lockID}/{otherUserID}", s.authed(s.removeUser))

	mux.HandleFunc("GET /locks/{lockID}/pins", s.authed(s.listPINs))
	mux.HandleFunc("POST /locks/{lockID}/pins", s.authed(s.pinCommands))
	mux.HandleFunc("PUT /locks/{lockID}/pins/transfer", s.authed(s.transferPIN))
	mux.HandleFunc("GET /locks/{lockID}/pin", s.authed(s.reservePIN))
	mux.HandleFunc("DELETE /locks/{lockID}/pin/{pin}", s.authed(s.releasePIN))
	mux.HandleFunc("GET /locks/{lockID}/masterpin", s.authed(s.getMasterPIN))
	mux.HandleFunc("PUT /locks/{lockID}/masterpin", s.authed(s.setMasterPIN))

	mux.HandleFunc("PUT /remoteoperate/{lockID}/{command}", s.authed(s.remoteOperate))
	mux.HandleFunc("GET /devices/capabilities", s.authed(s.capabilities))

	mux.HandleFunc("GET /users/houses/mine", s.authed(s.listHouses))
	mux.HandleFunc("GET /houses/{houseID}", s.authed(s.getHouse))
	mux.HandleFunc("POST /session/logout", s.authed(s.logout))
	mux.HandleFunc("POST /partners/sub-user", s.authed(s.createSubUser))
	mux.HandleFunc("GET /partners/sub-user", s.authed(s.listSubUsers))

	mux.HandleFunc("POST /websocket/subscribers", s.authed(s.createSubscriber))
	mux.HandleFunc("GET /websocket/subscribers/{subID}", s.authed(s.getSubscriber))
	mux.HandleFunc("DELETE /websocket/subscribers/{subID}", s.authed(s.deleteSubscriber))

	mux.HandleFunc("POST /webhook/{lockID}", s.authed(s.registerWebhook))
	mux.HandleFunc("DELETE /webhook/{lockID}/{clientID}", s.authed(s.deleteWebhook))

	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "ResourceNotFound", r.URL.Path+" does not exist")
	})
	return s.front.Wrap(mux, writeFault)
}

type callerHandler func(w http.ResponseWriter, r *http.Request, c *caller)

// authed authenticates the request and checks its framing: a body must be
// JSON, and a bodiless PUT or POST must say Content-Length: 0 (the real
// server hangs otherwise; the fake answers 411 instead).
func (s *Server) authed(h callerHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, ok := s.authenticate(w, r)
		if !ok {
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil {
			writeError(w, http.StatusBadRequest, "BadRequest", "could not read the body")
			return
		}
		if len(body) > maxBody {
			writeError(w, http.StatusRequestEntityTooLarge, "PayloadTooLarge", "body larger than 1 MiB")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if len(body) == 0 && (r.Method == http.MethodPut || r.Method == http.MethodPost) &&
			r.Header.Get("Content-Length") == "" && len(r.TransferEncoding) == 0 {
			writeError(w, http.StatusLengthRequired, "LengthRequired",
				"a bodiless PUT or POST must send Content-Length: 0 (the real server hangs without it)")
			return
		}
		if len(body) > 0 {
			mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil || mt != "application/json" {
				writeError(w, http.StatusUnsupportedMediaType, "UnsupportedMediaType", "Content-Type must be application/json")
				return
			}
		}
		h(w, r, c)
	}
}

// lockFor resolves the {lockID} path value to a lock the caller is on, with
// one of roles when given. Callers hold s.mu.
func (s *Server) lockFor(w http.ResponseWriter, r *http.Request, c *caller, roles ...string) (*lockState, bool) {
	id := r.PathValue("lockID")
	if !lockIDPattern.MatchString(id) {
		writeError(w, http.StatusBadRequest, "InvalidArgument", "lockID must match ^[\\dA-F]{32}$")
		return nil, false
	}
	l := s.locks[id]
	if l == nil || l.users[c.user.ID] == "" {
		writeError(w, http.StatusNotFound, "ResourceNotFound", "lock "+id+" does not exist")
		return nil, false
	}
	if len(roles) > 0 && !contains(roles, l.users[c.user.ID]) {
		writeError(w, http.StatusForbidden, "Forbidden", "the caller must be "+strings.Join(roles, " or ")+" on the lock")
		return nil, false
	}
	return l, true
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// readJSON decodes a JSON object body; an empty or broken one is 400.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	body, _ := io.ReadAll(r.Body)
	if len(bytes.TrimSpace(body)) == 0 {
		writeError(w, http.StatusBadRequest, "MissingParameter", "a JSON body is required")
		return false
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			writeError(w, http.StatusBadRequest, "InvalidArgument", te.Field+" has the wrong type")
		} else {
			writeError(w, http.StatusBadRequest, "InvalidContent", "the body is not valid JSON")
		}
		return false
	}
	return true
}

// hasBody reports whether the request carries a (non-empty) body.
func hasBody(r *http.Request) bool {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	return len(bytes.TrimSpace(body)) > 0
}

func requireString(w http.ResponseWriter, name, v string) bool {
	if strings.TrimSpace(v) == "" {
		writeError(w, http.StatusBadRequest, "MissingParameter", name+" is required")
		return false
	}
	return true
}

func requireUUID(w http.ResponseWriter, name string, v *string) bool {
	if v == nil || *v == "" {
		writeError(w, http.StatusBadRequest, "MissingParameter", name+" is required")
		return false
	}
	if !uuidPattern.MatchString(*v) {
		writeError(w, http.StatusBadRequest, "InvalidArgument", name+" must be a UUID")
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeSuccess(w http.ResponseWriter) {
	writeJSON(w, http.StatusOK, map[string]any{"message": "success"})
}

// writeError writes August's error body {"code": ..., "message": ...}; code
// is a string or a number.
func writeError(w http.ResponseWriter, status int, code any, message string) {
	writeJSON(w, status, map[string]any{"code": code, "message": message})
}

// lockErrors are the bodies of the documented remote-operate error
// statuses. Only 422's body is documented; the others are invented.
var lockErrors = map[int]struct {
	code    any
	message string
}{
	http.StatusRequestTimeout:      {408, "Lock is unavailable: operation timed out"},
	http.StatusConflict:            {409, "Conflict"},
	http.StatusPreconditionFailed:  {412, "Precondition failed"},
	http.StatusUnprocessableEntity: {98, "Bridge is offline"},
	http.StatusLocked:              {423, "Bridge or lock is busy"},
	460:                            {460, "Lock is busy"},
	530:                            {530, "Lock is jammed"},
	531:                            {531, "Lock calibration error"},
	550:                            {550, "Lock battery is too low"},
	551:                            {551, "Lock is overheated"},
	560:                            {560, "Lock disconnected during the command"},
}

// errorBody is the body August answers status with.
func errorBody(status int) map[string]any {
	if e, ok := lockErrors[status]; ok {
		return map[string]any{"code": e.code, "message": e.message}
	}
	text := http.StatusText(status)
	if text == "" {
		text = "Error " + strconv.Itoa(status)
	}
	return map[string]any{"code": strings.ReplaceAll(text, " ", ""), "message": text}
}

// writeFault answers an injected fault in August's error format.
func writeFault(w http.ResponseWriter, status int) {
	writeJSON(w, status, errorBody(status))
}

// iso renders a time the way August answers: UTC with milliseconds.
func iso(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}
