package access

// Notice says what a vendor adjusted or dropped while carrying out a
// request, or what doorkit could not read or had to assume about a door, so
// the caller can tell the holder or fix the input. The request went ahead;
// a notice is not an error.
type Notice struct {
	Code NoticeCode
	// Field is the request or door field the notice concerns
	// ("Holder.Phone", "Window.Start", "Label", "TimeZone"); empty when it
	// concerns none.
	Field   string
	Message string // for people, e.g. "SMS skipped: 0612345678 has no country code"
}

// String returns the message.
func (n Notice) String() string { return n.Message }

// NoticeCode names what a notice is about, for callers to switch on.
// Vendor packages may define their own codes next to these.
type NoticeCode string

// Notice codes.
const (
	// NoticeSMSDropped: the credential was not sent by SMS (the number has
	// no country code or is a landline, or the vendor sends no SMS).
	NoticeSMSDropped NoticeCode = "sms_dropped"
	// NoticeStartClamped: the window started in the past and now starts now.
	NoticeStartClamped NoticeCode = "start_clamped"
	// NoticeWindowRounded: a bound was rounded to the vendor's resolution
	// and moved by a noticeable amount (a minute-resolution vendor).
	NoticeWindowRounded NoticeCode = "window_rounded"
	// NoticeLabelTruncated: the label was cut to fit the vendor's field.
	NoticeLabelTruncated NoticeCode = "label_truncated"
	// NoticeLabelDropped: the vendor has nowhere to keep the label.
	NoticeLabelDropped NoticeCode = "label_dropped"
	// NoticeNeedsConfirmation: the lock's owner must confirm the grant
	// before it becomes active.
	NoticeNeedsConfirmation NoticeCode = "needs_confirmation"
	// NoticeDeliveredByVendor: the vendor delivers the credential itself
	// (a link by email) and the holder must act on it before it is active.
	NoticeDeliveredByVendor NoticeCode = "delivered_by_vendor"
)
