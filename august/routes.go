package august

// Path templates of every August operation, relative to the base URL, in
// one place so that an inferred path is easy to correct. Paths marked
// INFERRED are not published by August (see august-notes.md and
// endpoints/august.tsv); the others are documented by August or confirmed
// by long-lived open-source clients.
const (
	routeLocksMine      = "users/locks/mine"         // GET: the caller's locks, keyed by lockID
	routeLock           = "locks/%v"                 // GET lock info; DELETE (soft=0|1)
	routeLockStatus     = "locks/%v/status"          // GET
	routeLockAddUser    = "locks/adduser/%v/%v/%v"   // PUT add a user (lockID, otherUserID, type)
	routeLockUserType   = "locks/%v/%v/%v"           // PUT change a user's type (lockID, otherUserID, type)
	routeLockUser       = "locks/%v/%v"              // DELETE remove a user (lockID, otherUserID)
	routePINs           = "locks/%v/pins"            // GET list; POST commands
	routePINTransfer    = "locks/%v/pins/transfer"   // PUT; INFERRED
	routePINReserve     = "locks/%v/pin"             // GET reserve a PIN
	routePINRelease     = "locks/%v/pin/%v"          // DELETE release a reserved PIN
	routeMasterPIN      = "locks/%v/masterpin"       // GET and PUT; INFERRED
	routeRemoteOperate  = "remoteoperate/%v/%v"      // PUT (lockID, command); v1 and v2
	routeCapabilities   = "devices/capabilities"     // GET
	routeHousesMine     = "users/houses/mine"        // GET
	routeHouse          = "houses/%v"                // GET
	routeLogout         = "session/logout"           // POST; INFERRED
	routeSubUsers       = "partners/sub-user"        // GET list; POST create-or-get (POST INFERRED)
	routeWSSubscribers  = "websocket/subscribers"    // POST
	routeWSSubscriber   = "websocket/subscribers/%v" // GET, DELETE
	routeWebhook        = "webhook/%v"               // POST register (lockID)
	routeWebhookClient  = "webhook/%v/%v"            // DELETE (lockID, clientID)
	routeOAuthAuthorize = "authorization"            // on the OAuth host
	routeOAuthToken     = "access_token"             // on the OAuth host; POST JSON
)

// API versions (Accept-Version values). Every open client sends
// DefaultAPIVersion; the value of remote operate v2 is INFERRED (no open
// client sends it).
const (
	DefaultAPIVersion         = "0.0.1"
	RemoteOperateV2APIVersion = "2.0.0"
	ActivitiesAPIVersion      = "4.0.0"
	headerAcceptVersion       = "Accept-Version"
	headerAPIKey              = "x-august-api-key"
	headerAccessToken         = "x-august-access-token"
)
