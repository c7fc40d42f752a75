package rest

import (
	"errors"
	"fmt"
	"io"
)

// DefaultMaxBody caps a 2xx body unless Config.MaxBody says otherwise.
const DefaultMaxBody = 32 << 20

// ErrBodyTooLarge reports a 2xx body longer than the client's cap.
var ErrBodyTooLarge = errors.New("response body too large")

// readCapped reads all of r, at most limit bytes; a longer body is
// ErrBodyTooLarge. It grows its buffer by doubling and at most to limit+1,
// so reading a body up to the cap allocates about twice the cap in all.
func readCapped(r io.Reader, contentLength, limit int64) ([]byte, error) {
	if contentLength > limit {
		return nil, fmt.Errorf("%w: %d bytes announced, the limit is %d", ErrBodyTooLarge, contentLength, limit)
	}
	size := int64(16 << 10)
	if contentLength >= 0 {
		size = contentLength + 1 // +1 to see EOF without growing
	}
	size = min(size, limit+1)
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			if int64(len(buf)) > limit {
				return nil, fmt.Errorf("%w: more than %d bytes", ErrBodyTooLarge, limit)
			}
			next := 2 * int64(cap(buf))
			if next >= limit {
				next = limit + 1 // the last growth: room for the cap and one byte to see EOF
			}
			grown := make([]byte, len(buf), next)
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			if int64(len(buf)) > limit {
				return nil, fmt.Errorf("%w: more than %d bytes", ErrBodyTooLarge, limit)
			}
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
