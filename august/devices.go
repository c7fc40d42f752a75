package august

import (
	"context"
	"encoding/json"

	"github.com/doorkit/doorkit/internal/rest"
)

// DevicesService covers device capabilities.
type DevicesService service

// CapabilitiesOptions are the query of GetCapabilities; set at least one
// way of naming the device (SerialNumber, DeviceID, UDID, ...).
type CapabilitiesOptions struct {
	UDID          string `url:"udID,omitempty"`
	HID           string `url:"hID,omitempty"`
	HHID          string `url:"hhID,omitempty"`
	TopLevelHost  *bool  `url:"topLevelHost,omitempty"`
	DeviceType    string `url:"deviceType,omitempty"`
	DeviceID      string `url:"deviceID,omitempty"`
	SerialNumber  string `url:"serialNumber,omitempty"`
	ProductID     int    `url:"productID,omitempty"`
	ProductTypeID int    `url:"productTypeID,omitempty"`
	CheckForSetup *bool  `url:"checkForSetup,omitempty"`
}

// Capabilities are what a device supports, by device kind.
type Capabilities struct {
	Lock     *LockCapabilities     `json:"lock,omitempty"`
	Doorbell *DoorbellCapabilities `json:"doorbell,omitempty"`
	Connect  *ConnectCapabilities  `json:"connect,omitempty"`
	Keypad   *KeypadCapabilities   `json:"keypad,omitempty"`
}

// LockCapabilities are a lock's capabilities. The document shows only the
// host objects; open clients read flat fields (unlatch, doorSense, PIN
// slots, battery).
type LockCapabilities struct {
	HostHardwareLockInfo json.RawMessage `json:"hostHardwareLockInfo,omitempty"`
	HostLock             json.RawMessage `json:"hostLock,omitempty"`
	ConcurrentBLE        int             `json:"concurrentBLE,omitempty"`
	BatteryType          string          `json:"batteryType,omitempty"`
	DoorSense            bool            `json:"doorSense,omitempty"`
	PINSlotMax           int             `json:"pinSlotMax,omitempty"`
	PINSlotMin           int             `json:"pinSlotMin,omitempty"`
	BatteryLifeMS        int64           `json:"batteryLifeMS,omitempty"`
	SupportedPartners    []string        `json:"supportedPartners,omitempty"`
	Unlatch              bool            `json:"unlatch,omitempty"`
}

// DoorbellCapabilities are a doorbell's capabilities.
type DoorbellCapabilities struct {
	SetupIP                        string          `json:"setupIP"`
	HasDock                        bool            `json:"hasDock"`
	HasFloodlight                  bool            `json:"hasFloodlight"`
	CanDisableWiredChime           bool            `json:"canDisableWiredChime"`
	SupportsPowerModes             bool            `json:"supportsPowerModes"`
	SupportsImageQualityAdjustment bool            `json:"supportsImageQualityAdjustment"`
	HasIntegratedBridge            bool            `json:"hasIntegratedBridge"`
	SupportsAugustChime            bool            `json:"supportsAugustChime"`
	VideoAspectRatio               string          `json:"videoAspectRatio"`
	VideoFormatOptions             []string        `json:"videoFormatOptions"`
	BatteryPoweredOnly             bool            `json:"batteryPoweredOnly"`
	HasReplaceableFaceplate        bool            `json:"hasReplaceableFaceplate"`
	MotionSensitivityBounds        string          `json:"motionSensitivityBounds"`
	MinVoltage                     float64         `json:"minVoltage"`
	ResetPatternType               json.RawMessage `json:"resetPatternType,omitempty"`
	InstallationInstructionsURL    string          `json:"installationInstructionsUrl"`
	TroubleshootingURL             string          `json:"troubleshootingUrl"`
	Type                           string          `json:"type"`
	SupportsWAC                    bool            `json:"supportsWAC"`
}

// ConnectCapabilities are a Connect bridge's capabilities.
type ConnectCapabilities struct {
	NumberOfDevicesSupported           int      `json:"numberOfDevicesSupported"`
	SetupTypeSupported                 []string `json:"setupTypeSupported"`
	StandAlone                         bool     `json:"standAlone"`
	SupportsQR                         bool     `json:"supportsQR"`
	RBSAuthMechanism                   int      `json:"rbsAuthMechanism"`
	SupportsBridgeNotFoundFactoryReset bool     `json:"supportsBridgeNotFoundFactoryReset"`
	HasClientCertificate               bool     `json:"hasClientCertificate"`
}

// KeypadCapabilities are a keypad's capabilities, including the PIN
// lengths the lock takes.
type KeypadCapabilities struct {
	SupportsPINCodes              bool `json:"supportsPinCodes"`
	SupportsKeyTags               bool `json:"supportsKeyTags"`
	SupportsFingerprintCredential bool `json:"supportsFingerprintCredential"`
	PINLengthMin                  int  `json:"pinLengthMin"`
	PINLengthMax                  int  `json:"pinLengthMax"`
	UsesSlots                     bool `json:"usesSlots"`
	IsStandAlone                  bool `json:"isStandAlone"`
}

// GetCapabilities returns a device's capabilities.
//
// GET /devices/capabilities
func (s *DevicesService) GetCapabilities(ctx context.Context, opts *CapabilitiesOptions, callOpts ...CallOption) (*Capabilities, *Response, error) {
	call := rest.Get(routeCapabilities)
	if opts != nil {
		call.WithQuery(opts)
	}
	return do[*Capabilities](ctx, s.client.api, apply(call, callOpts))
}

// Doorbell is a doorbell as August's consumer routes answer it (GET
// /doorbells/:doorbellID and GET /users/doorbells/mine, keyed by doorbell
// id; not partner operations, so this package has no method for them: use
// NewRequest and Do). A doorbell can be a lock's bridge (lock Type 7).
type Doorbell struct {
	DoorbellID        string          `json:"doorbellID"`
	SerialNumber      string          `json:"serialNumber"`
	Name              string          `json:"name"`
	Type              string          `json:"type,omitempty"`
	Status            string          `json:"status"` // e.g. doorbell_call_status_online
	StatusUpdatedAtMs int64           `json:"statusUpdatedAtMs,omitempty"`
	StatusTimestamp   int64           `json:"status_timestamp,omitempty"`
	PubsubChannel     string          `json:"pubsubChannel"`
	HouseID           string          `json:"HouseID"`
	HouseName         string          `json:"HouseName,omitempty"`
	LockID            string          `json:"LockID,omitempty"`
	InstallUserID     string          `json:"installUserID"`
	InstallDate       Time            `json:"installDate"`
	CreatedAt         Time            `json:"createdAt"`
	UpdatedAt         Time            `json:"updatedAt"`
	FirmwareVersion   string          `json:"firmwareVersion"`
	Caps              []string        `json:"caps,omitempty"`
	Settings          map[string]any  `json:"settings,omitempty"`
	Telemetry         map[string]any  `json:"telemetry,omitempty"` // battery volts, signal, temperature
	RecentImage       json.RawMessage `json:"recentImage,omitempty"`
}
