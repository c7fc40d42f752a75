package access_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPhoneMetadataNotLinked: phone handling lives in package phone, so a
// program importing access or a vendor without SMS does not link
// libphonenumber's metadata (it doubled the binary size).
func TestPhoneMetadataNotLinked(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not on PATH")
	}
	out, err := exec.Command(gobin, "list", "-deps",
		"github.com/doorkit/doorkit/access", "github.com/doorkit/doorkit/havr", "github.com/doorkit/doorkit/primis").CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Contains(t, string(out), "github.com/doorkit/doorkit/access")
	for _, dep := range strings.Fields(string(out)) {
		assert.NotContains(t, dep, "phonenumbers")
	}
}
