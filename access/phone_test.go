package access_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPhoneMetadataNotLinked: phone handling lives in package phone, so a
// program importing access or a vendor does not link libphonenumber's
// metadata (it doubled the binary size, and its loading at start made
// programs start several times slower). resivo, which sends SMS, links it
// only when the caller passes phone.NormalizeSMS (resivo.WithSMSNumbers).
func TestPhoneMetadataNotLinked(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not on PATH")
	}
	out, err := exec.Command(gobin, "list", "-deps",
		"github.com/doorkit/doorkit/access", "github.com/doorkit/doorkit/havr", "github.com/doorkit/doorkit/primis",
		"github.com/doorkit/doorkit/resivo", "github.com/doorkit/doorkit/august").CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Contains(t, string(out), "github.com/doorkit/doorkit/access")
	require.Contains(t, string(out), "github.com/doorkit/doorkit/resivo")
	for _, dep := range strings.Fields(string(out)) {
		assert.NotContains(t, dep, "phonenumbers")
	}
}
