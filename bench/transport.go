package bench

import (
	"bytes"
	"io"
	"net/http"
)

// InMemoryBody hands net/http the request body as a bytes.Reader.
//
// The SDK's own body (smithy-go's safeReadCloser) makes net/http flush the
// headers and write the body straight to the socket; the server can then
// answer while the transport still probes the body for extra bytes, the SDK
// closes the body when the answer arrives, the probe gets io.EOF as an
// error, and the transport closes the connection: a reconnect every ~20
// requests, and with large answers (ListRoles) "use of closed network
// connection" while the SDK reads the body (see aws/aws-sdk-go-v2#2737; the
// SDK's default retryer retries it, rolecalltest's single attempt does not).
// That is client cost, not rolecall's, so the benchmarks avoid it.
type InMemoryBody struct{ RT http.RoundTripper }

func (t InMemoryBody) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return t.RT.RoundTrip(r)
	}
	body, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	r = r.Clone(r.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	r.ContentLength = int64(len(body))
	return t.RT.RoundTrip(r)
}
