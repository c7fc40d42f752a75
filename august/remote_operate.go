package august

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// RemoteOperateService locks, unlocks and otherwise operates a lock through
// its bridge.
//
// Remote operate is never resent by this client once it may have reached
// August: a resent unlock can open the door twice. (August itself retries
// the lock up to RetryLimit times, about 30 s each.) A connection reset, a
// timeout or a 5xx answer after the request was written returns an error
// matching access.ErrOutcomeUnknown: check the lock's status before trying
// again. The lock's own failures are typed: see Error, Kind, ErrJammed,
// ErrLowBattery and the others.
type RemoteOperateService service

// Command is a remote-operate command.
type Command string

// Remote-operate commands.
const (
	CommandLock             Command = "lock"
	CommandUnlock           Command = "unlock"
	CommandStatus           Command = "status"
	CommandReboot           Command = "reboot"
	CommandRebootLock       Command = "rebootLock"
	CommandUnlatch          Command = "unlatch"
	CommandTelemetry        Command = "telemetry"
	CommandSecure           Command = "secure"
	CommandCalibrate        Command = "calibrate"
	CommandDisableHomeKit   Command = "disablehomekit"
	CommandExtendedFunction Command = "extendedfunction"
	CommandOTA              Command = "ota"
)

func (c Command) check() error {
	switch c {
	case CommandLock, CommandUnlock, CommandStatus, CommandReboot, CommandRebootLock, CommandUnlatch,
		CommandTelemetry, CommandSecure, CommandCalibrate, CommandDisableHomeKit, CommandExtendedFunction, CommandOTA:
		return nil
	}
	return access.Invalid("command", fmt.Sprintf("%q is not a remote-operate command", c))
}

var errExtendedV1 = access.Invalid("command", "extendedfunction needs a body: use V2")

// RemoteOperateOptions are the query of remote operate.
type RemoteOperateOptions struct {
	// RetryLimit is how often August tries the lock, 1 to 3; zero leaves
	// August's default.
	RetryLimit int
}

func (o *RemoteOperateOptions) query(mode string) (url.Values, error) {
	q := url.Values{"type": {mode}}
	if o != nil && o.RetryLimit != 0 {
		if o.RetryLimit < 1 || o.RetryLimit > 3 {
			return nil, access.Invalid("retryLimit", "must be 1 to 3")
		}
		q.Set("retryLimit", strconv.Itoa(o.RetryLimit))
	}
	return q, nil
}

// OperateResult is the answer of a synchronous remote operate. Status and
// DoorState are top-level in every recorded answer although the rendered
// document leaves them out; DoorState may be absent.
type OperateResult struct {
	Status                    LockState               `json:"status"`
	DoorState                 DoorState               `json:"doorState,omitempty"`
	Info                      OperateInfo             `json:"info"`
	RetryCount                int                     `json:"retryCount"`
	TotalTime                 int64                   `json:"totalTime"` // milliseconds
	LockStatusChanged         bool                    `json:"lockStatusChanged"`
	ResultsFromOperationCache bool                    `json:"resultsFromOperationCache"`
	ExtendedFunction          *ExtendedFunctionResult `json:"extendedfunction,omitempty"`
	// Pending is true when August accepted the command (202) and will
	// report its result by webhook or push message instead.
	Pending bool `json:"-"`
}

// OperateInfo details a remote operation. Do not rely on Action matching
// the command: a recorded unlock answer says "lock".
type OperateInfo struct {
	Action            string         `json:"action"`
	StartTime         Time           `json:"startTime"`
	Context           OperateContext `json:"context"`
	LockType          string         `json:"lockType"` // e.g. lock_version_3
	SerialNumber      string         `json:"serialNumber"`
	RSSI              int            `json:"rssi"`
	WLANRSSI          int            `json:"wlanRSSI"`
	WLANSNR           int            `json:"wlanSNR"`
	Duration          int64          `json:"duration"` // milliseconds
	LockID            string         `json:"lockID"`
	BridgeID          string         `json:"bridgeID"`
	LockStatusChanged bool           `json:"lockStatusChanged"`
	Serial            string         `json:"serial"`
}

// OperateContext identifies a remote operation. Answers send StartDate;
// the rendered document says startTime.
type OperateContext struct {
	TransactionID string `json:"transactionID"`
	StartDate     Time   `json:"startDate"`
	StartTime     Time   `json:"startTime"`
	RetryCount    int    `json:"retryCount"`
}

// ExtendedFunction is an extended function to run, with its parameters
// (always sent, {} when nil).
type ExtendedFunction struct {
	Function   string         `json:"function"`
	Parameters map[string]any `json:"parameters"`
}

// MarshalJSON sends nil Parameters as {}.
func (f ExtendedFunction) MarshalJSON() ([]byte, error) {
	type plain ExtendedFunction
	if f.Parameters == nil {
		f.Parameters = map[string]any{}
	}
	return json.Marshal(plain(f))
}

// ExtendedFunctionResult is an extended function's answer.
type ExtendedFunctionResult struct {
	Function string         `json:"function"`
	Info     map[string]any `json:"info,omitempty"`
}

// Sync operates the lock and waits for the result: August may take about
// 90 s, so the wait for the answer is bounded by the client's sync timeout
// (DefaultSyncOperateTimeout, WithSyncOperateTimeout) rather than its
// response-header timeout, unless ctx ends sooner. It is never resent.
//
// A nil error says August answered, not that the lock moved: read the
// result's Status (kAugLockState_Unlocked, FAILED_BRIDGE_ERROR_LOCK_JAMMED,
// ...). A 202 or an empty answer comes back with Pending set and no status:
// the outcome is unknown. A 408 (the lock did not answer in time), a 5xx and
// a lost answer match access.ErrOutcomeUnknown.
//
// PUT /remoteoperate/:lockID/:command?type=sync
func (s *RemoteOperateService) Sync(ctx context.Context, lockID string, command Command, opts *RemoteOperateOptions) (*OperateResult, *Response, error) {
	if command == CommandExtendedFunction {
		return nil, nil, errExtendedV1
	}
	call, err := s.call(lockID, command, opts, "sync")
	if err != nil {
		return nil, nil, err
	}
	return s.send(ctx, call.WithTimeout(s.client.syncTimeout))
}

// Async asks August to operate the lock and returns when August has
// accepted the command (202, empty body); the result arrives by webhook
// (Webhooks.Register, WebhookHandler) or push message. It is never resent.
//
// PUT /remoteoperate/:lockID/:command?type=async
func (s *RemoteOperateService) Async(ctx context.Context, lockID string, command Command, opts *RemoteOperateOptions) (*Response, error) {
	if command == CommandExtendedFunction {
		return nil, errExtendedV1
	}
	call, err := s.call(lockID, command, opts, "async")
	if err != nil {
		return nil, err
	}
	_, resp, err := s.send(ctx, call)
	return resp, err
}

// RemoteOperateV2Request is the body of remote operate v2.
type RemoteOperateV2Request struct {
	// ExtendedFunction is required when the command is extendedfunction.
	ExtendedFunction *ExtendedFunction `json:"extendedfunction,omitempty"`
	// Webhook is where August reports the result; nil sends null.
	Webhook *string `json:"webhook"`
	// NotificationType is pubnub or websocket. It is sent as a query
	// parameter (INFERRED: the rendered document lists it beside the path
	// parameters).
	NotificationType string `json:"-"`
	// Async asks for the asynchronous form (type=async): the answer is
	// then 202 and OperateResult.Pending is set.
	Async      bool `json:"-"`
	RetryLimit int  `json:"-"`
}

// V2 is remote operate version 2, selected by Accept-Version 2.0.0
// (INFERRED: no open client sends it). It takes extended functions
// (vacationMode, ...) and a webhook. It is never resent.
//
// PUT /remoteoperate/:lockID/:command (Accept-Version: 2.0.0)
func (s *RemoteOperateService) V2(ctx context.Context, lockID string, command Command, req RemoteOperateV2Request) (*OperateResult, *Response, error) {
	mode := "sync"
	if req.Async {
		mode = "async"
	}
	if command == CommandExtendedFunction && (req.ExtendedFunction == nil || req.ExtendedFunction.Function == "") {
		return nil, nil, access.Invalid("extendedfunction", "is required for the extendedfunction command")
	}
	call, err := s.call(lockID, command, &RemoteOperateOptions{RetryLimit: req.RetryLimit}, mode)
	if err != nil {
		return nil, nil, err
	}
	switch req.NotificationType {
	case "":
	case "pubnub", "websocket":
		call.Query.(url.Values).Set("notificationType", req.NotificationType)
	default:
		return nil, nil, access.Invalid("notificationType", "must be pubnub or websocket")
	}
	if req.Webhook != nil {
		if err := checkWebhookURL("webhook", *req.Webhook, false); err != nil {
			return nil, nil, err
		}
	}
	call.WithBody(req)
	WithAPIVersion(RemoteOperateV2APIVersion)(call)
	if !req.Async {
		call.WithTimeout(s.client.syncTimeout)
	}
	return s.send(ctx, call)
}

func (s *RemoteOperateService) call(lockID string, command Command, opts *RemoteOperateOptions, mode string) (*rest.Call, error) {
	if err := checkLockID(lockID); err != nil {
		return nil, err
	}
	if err := command.check(); err != nil {
		return nil, err
	}
	q, err := opts.query(mode)
	if err != nil {
		return nil, err
	}
	// PUT is idempotent to the retry layer; remote operate is not: Once.
	return rest.Put(routeRemoteOperate, lockID, string(command)).WithQuery(q).EmptyBody().Once(), nil
}

// send sends a remote-operate call: a 202 or an empty 2xx is Pending; a
// transport failure after the request may have been written, a 5xx or a
// 408 is ErrOutcomeUnknown.
func (s *RemoteOperateService) send(ctx context.Context, call *rest.Call) (*OperateResult, *Response, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	var out OperateResult
	hresp, err := s.client.api.Do(ctx, call, &out)
	resp := rest.NewResponse(hresp)
	if err != nil {
		if emptyAnswer(hresp, err) {
			return &OperateResult{Pending: true}, resp, nil
		}
		// Sent Once, so rest classifies a lost or broken answer, and a
		// 5xx, as access.ErrOutcomeUnknown. A 408 says the lock did not
		// answer August in time, not that it did not act: unknown too.
		var aerr *Error
		if errors.As(err, &aerr) && aerr.StatusCode == http.StatusRequestTimeout && !errors.Is(err, access.ErrOutcomeUnknown) {
			err = &rest.OutcomeUnknownError{Err: err}
		}
		return nil, resp, err
	}
	if hresp.StatusCode == http.StatusAccepted {
		out.Pending = true
	}
	return &out, resp, nil
}
