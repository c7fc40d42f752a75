package augusttest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

var commands = []string{"lock", "unlock", "status", "reboot", "rebootLock", "unlatch", "telemetry", "secure",
	"calibrate", "disablehomekit", "extendedfunction", "ota"}

// checkBridge refuses what needs the bridge: 412 without one, 422 when it
// is offline. Callers hold s.mu.
func (s *Server) checkBridge(w http.ResponseWriter, l *lockState) bool {
	if !l.Bridge {
		writeError(w, http.StatusPreconditionFailed, "PreconditionFailed", "lock has no bridge")
		return false
	}
	if l.BridgeOffline {
		writeJSON(w, http.StatusUnprocessableEntity, errorBody(http.StatusUnprocessableEntity))
		return false
	}
	return true
}

// remoteOperate is PUT /remoteoperate/:lockID/:command?type=sync|async
// &retryLimit=1..3, v1 and (Accept-Version 2.0.0) v2 alike.
func (s *Server) remoteOperate(w http.ResponseWriter, r *http.Request, c *caller) {
	command := r.PathValue("command")
	q := r.URL.Query()
	mode := q.Get("type")
	if mode != "" && mode != "sync" && mode != "async" {
		writeError(w, http.StatusBadRequest, "InvalidArgument", "type must be sync or async")
		return
	}
	retryLimit := 0
	if raw := q.Get("retryLimit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > 3 {
			writeError(w, http.StatusBadRequest, "InvalidArgument", "retryLimit must be 1, 2 or 3")
			return
		}
		retryLimit = n
	}
	var b struct {
		ExtendedFunction *struct {
			Function   string         `json:"function"`
			Parameters map[string]any `json:"parameters"`
		} `json:"extendedfunction"`
		Webhook          json.RawMessage `json:"webhook"`
		NotificationType string          `json:"notificationType"`
	}
	if hasBody(r) && !readJSON(w, r, &b) {
		return
	}
	if b.NotificationType == "" {
		b.NotificationType = q.Get("notificationType")
	}
	if b.NotificationType != "" && b.NotificationType != "pubnub" && b.NotificationType != "websocket" {
		writeError(w, http.StatusBadRequest, "InvalidArgument", "notificationType must be pubnub or websocket")
		return
	}
	webhook := ""
	if len(b.Webhook) > 0 && string(b.Webhook) != "null" {
		if json.Unmarshal(b.Webhook, &webhook) != nil || !webhookURL(webhook, false) {
			writeError(w, http.StatusBadRequest, "InvalidArgument", "webhook must be null or an absolute http(s) URL")
			return
		}
	}
	s.mu.Lock()
	l, ok := s.lockFor(w, r, c)
	if !ok {
		s.mu.Unlock()
		return
	}
	if !contains(commands, command) {
		s.mu.Unlock()
		writeError(w, http.StatusNotImplemented, "NotImplemented", "invalid command "+strconv.Quote(command))
		return
	}
	if command == "extendedfunction" && (b.ExtendedFunction == nil || b.ExtendedFunction.Function == "") {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, "MissingParameter", "extendedfunction.function is required for command extendedfunction")
		return
	}
	if command == "unlatch" && !l.Unlatch {
		s.mu.Unlock()
		writeError(w, http.StatusPreconditionFailed, "PreconditionFailed", "lock does not support unlatch")
		return
	}
	if !s.checkBridge(w, l) {
		s.mu.Unlock()
		return
	}
	op := RemoteOperation{LockID: l.ID, Command: command, Async: mode == "async", Version: r.Header.Get("Accept-Version"),
		UserID: c.user.ID, RetryLimit: retryLimit}
	if l.opErr == http.StatusLocked || l.opErr == 460 || l.inFlight {
		status := l.opErr
		if l.inFlight && status != 460 {
			status = http.StatusLocked
		}
		op.Status, op.Time = status, s.clock()
		s.record(op)
		s.mu.Unlock()
		writeJSON(w, status, errorBody(status))
		return
	}
	var function string
	if b.ExtendedFunction != nil {
		function = b.ExtendedFunction.Function
	}
	if op.Async {
		header, value := s.webhookHeader(l.ID, webhook, c.clientID)
		s.deliveries.enqueue(&job{apply: func() []outbound {
			start := s.clock()
			op.Time = start
			answer, status := s.act(l, command, function, start)
			op.Status = status
			s.record(op)
			fields := s.operationEvent(l, command, c.user.ID, answer, status)
			outs := s.registeredOutbounds(l.ID, "operation", fields, webhook)
			if webhook != "" {
				ev := map[string]any{"eventID": outsEventID(outs), "notificationType": "operation", "lockID": l.ID, "dateTime": iso(start)}
				mergeFields(ev, fields)
				outs = append(outs, newOutbound(l.ID, webhook, http.MethodPost, header, value, ev))
			}
			return outs
		}})
		s.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
		return
	}
	l.inFlight = true
	delay, hook := s.opDelay, s.opHook
	s.mu.Unlock()

	if hook != nil {
		hook(op)
	}
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-s.deliveries.ctx.Done():
			return
		}
	}
	s.mu.Lock()
	start := s.clock()
	answer, status := s.act(l, command, function, start)
	l.inFlight = false
	op.Status, op.Time = status, start
	s.record(op)
	s.notify(l.ID, "operation", s.operationEvent(l, command, c.user.ID, answer, status))
	s.mu.Unlock()
	if status != http.StatusOK {
		writeJSON(w, status, errorBody(status))
		return
	}
	writeJSON(w, http.StatusOK, answer)
}

func outsEventID(outs []outbound) string {
	if len(outs) > 0 {
		return outs[0].eventID
	}
	return newUUID()
}

// act carries out a command at the lock (or fails with the lock's error
// status) and returns the sync answer. Callers hold s.mu.
func (s *Server) act(l *lockState, command, function string, start time.Time) (map[string]any, int) {
	if l.opErr != 0 {
		return nil, l.opErr
	}
	was := *l.Locked
	status := ""
	switch command {
	case "lock", "secure":
		*l.Locked = true
	case "unlock":
		*l.Locked = false
	case "unlatch":
		*l.Locked = false
		status = "kAugLockState_Unlatched"
	}
	if status == "" {
		status = lockStateWord(l)
	}
	const duration = 3773
	info := map[string]any{"action": command, "startTime": iso(start),
		"context":  map[string]any{"transactionID": newHex(8), "startDate": iso(start), "retryCount": 1},
		"lockType": "lock_version_" + strconv.Itoa(l.Type), "serialNumber": l.SerialNumber, "rssi": -60,
		"wlanRSSI": -45, "wlanSNR": 55, "duration": duration, "lockID": l.ID, "bridgeID": bridgeID(l),
		"lockStatusChanged": was != *l.Locked, "serial": "B" + l.SerialNumber}
	out := map[string]any{"resultsFromOperationCache": false, "info": info, "status": status,
		"doorState": doorStateWord(l), "retryCount": 1, "totalTime": duration + 11}
	if command == "extendedfunction" {
		out["extendedfunction"] = map[string]any{"function": function, "info": map[string]any{}}
	}
	return out, http.StatusOK
}

// OperationEventShape is how the fake words a remote operation's result in
// a webhook event. August publishes no webhook body, so each plausible
// shape is an option (SetOperationEventShape).
type OperationEventShape int

// Shapes of operation events.
const (
	// OperationEventPush is shaped like the recorded push messages:
	// "action", "callingUserID", "remoteEvent":1, "status", "doorState",
	// "info" (with startTime and the bridge's transaction) and "dateTime";
	// on failure "error":{"status", "code", "message", "body"}. The
	// default.
	OperationEventPush OperationEventShape = iota
	// OperationEventStatusCode carries the outcome as "statusCode" (200, or
	// the lock's error status) and "result":{"code", "message"}, beside
	// "action", "callingUserID", "remoteEvent":1, "status" and "dateTime".
	OperationEventStatusCode
	// OperationEventBare names neither the user nor the date nor a remote
	// source: "action", "status", and on failure "statusCode" and "result".
	OperationEventBare
)

// SetOperationEventShape sets the shape of the operation events the fake
// sends from now on (OperationEventPush by default).
func (s *Server) SetOperationEventShape(shape OperationEventShape) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opShape = shape
}

// operationEvent is the body of an operation notification, in the fake's
// event shape; a nil value drops a field the delivery would otherwise
// carry. Callers hold s.mu.
func (s *Server) operationEvent(l *lockState, command, userID string, answer map[string]any, status int) map[string]any {
	ev := map[string]any{"action": command, "callingUserID": userID, "remoteEvent": 1,
		"status": lockStateWord(l), "doorState": doorStateWord(l)}
	if answer != nil {
		ev["status"], ev["info"] = answer["status"], answer["info"]
	}
	body := errorBody(status)
	result := map[string]any{"code": status, "message": body["message"]}
	if status == http.StatusOK {
		result["message"] = "success"
	}
	switch s.opShape {
	case OperationEventStatusCode:
		delete(ev, "info")
		ev["statusCode"], ev["result"] = status, result
	case OperationEventBare:
		ev = map[string]any{"action": command, "status": ev["status"], "dateTime": nil}
		if status != http.StatusOK {
			ev["statusCode"], ev["result"] = status, result
		}
	default:
		if status != http.StatusOK {
			ev["error"] = map[string]any{"status": status, "code": body["code"], "message": body["message"], "body": body}
		}
	}
	return ev
}
