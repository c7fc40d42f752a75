package havrtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
)

// maxBody bounds what the fake reads of a request body.
const maxBody = 1 << 20

// readJSON decodes a request body as strictly as the document defines it,
// writing the error when it cannot:
//   - the Content-Type is application/json (415 otherwise);
//   - the body is one JSON value whose object keys are documented fields,
//     spelled exactly (encoding/json alone would match "Admin" to "admin");
//   - the values have the documented types (an integer id is a JSON number,
//     not "9");
//   - fields tagged required:"true" are present and not null, answered with
//     the document's own "Missing parameter (name)." body.
//
// v is a pointer to a struct whose json tags are the documented fields.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "Content-Type must be application/json", "")
		return false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		writeError(w, http.StatusRequestEntityTooLarge, "Request body too large", "")
		return false
	}
	if msg := checkKeys(body, reflect.TypeOf(v).Elem()); msg != "" {
		writeError(w, http.StatusBadRequest, msg, "")
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("Invalid parameter (%s).", typeErr.Field), "")
		} else {
			writeError(w, http.StatusBadRequest, "Invalid JSON body", "")
		}
		return false
	}
	if _, err := dec.Token(); err != io.EOF {
		writeError(w, http.StatusBadRequest, "Invalid JSON body", "")
		return false
	}
	return true
}

// checkKeys walks body along t and returns the error message for the first
// key that t does not document with that exact spelling, or for a required
// field that is missing. Values of the wrong JSON kind are left to the
// decoder, which reports them with their field.
func checkKeys(body []byte, t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		var obj map[string]json.RawMessage
		if json.Unmarshal(body, &obj) != nil || obj == nil {
			return "" // not an object: the decoder says so
		}
		fields := map[string]reflect.StructField{}
		for i := range t.NumField() {
			f := t.Field(i)
			if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" && name != "-" {
				fields[name] = f
			}
		}
		for key, raw := range obj {
			f, ok := fields[key]
			if !ok {
				return fmt.Sprintf("Unknown parameter (%s).", key)
			}
			if msg := checkKeys(raw, f.Type); msg != "" {
				return msg
			}
		}
		for name, f := range fields {
			if f.Tag.Get("required") == "true" {
				if raw, ok := obj[name]; !ok || string(bytes.TrimSpace(raw)) == "null" {
					return fmt.Sprintf("Missing parameter (%s).", name)
				}
			}
		}
	case reflect.Slice, reflect.Array:
		var list []json.RawMessage
		if json.Unmarshal(body, &list) == nil {
			for _, raw := range list {
				if msg := checkKeys(raw, t.Elem()); msg != "" {
					return msg
				}
			}
		}
	}
	return ""
}

// reply holds a handler's answer until the handler has returned, so that
// handlers can answer while holding s.mu and the JSON is still encoded and
// written after the lock is released: what they pass to writeJSON is built
// from copies of the state (maps of plain values), never the state itself.
type reply struct {
	http.ResponseWriter
	status int
	body   any
	set    bool
}

func (r *reply) WriteHeader(status int) {
	if !r.set {
		r.status, r.set = status, true
	}
}

func (r *reply) Write(b []byte) (int, error) {
	r.flush()
	return r.ResponseWriter.Write(b)
}

func (r *reply) flush() {
	if !r.set {
		return
	}
	r.set = false
	if r.body == nil {
		r.ResponseWriter.WriteHeader(r.status)
		return
	}
	body := r.body
	r.body = nil
	encodeJSON(r.ResponseWriter, r.status, body)
}

// deferReplies makes every handler of next answer through a reply.
func deferReplies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rep := &reply{ResponseWriter: w}
		next.ServeHTTP(rep, r)
		rep.flush()
	})
}

// writeJSON answers with v as JSON. Inside a handler it only records v:
// deferReplies encodes it once the handler has returned.
func writeJSON(w http.ResponseWriter, status int, v any) {
	if rep, ok := w.(*reply); ok {
		if !rep.set {
			rep.status, rep.body, rep.set = status, v, true
		}
		return
	}
	encodeJSON(w, status, v)
}

func encodeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
