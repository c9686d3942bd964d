package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// Behind a trusted proxy, only the address the proxy appended is believed.
func TestForwardedFor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		headers map[string][]string
		want    string
	}{
		{"the proxy's entry is the last one",
			map[string][]string{"X-Forwarded-For": {"203.0.113.9, 198.51.100.4"}}, "198.51.100.4"},
		{"headers the client sends itself are ignored",
			map[string][]string{"X-Forwarded-For": {"198.51.100.4"}, "True-Client-Ip": {"203.0.113.1"}, "X-Real-Ip": {"203.0.113.2"}}, "198.51.100.4"},
		{"of several headers, the last",
			map[string][]string{"X-Forwarded-For": {"203.0.113.9", "198.51.100.5"}}, "198.51.100.5"},
		{"IPv6", map[string][]string{"X-Forwarded-For": {"2001:db8::1"}}, "2001:db8::1"},
		{"garbage keeps the peer", map[string][]string{"X-Forwarded-For": {"203.0.113.9, not-an-address"}}, "192.0.2.50"},
		{"no header keeps the peer", nil, "192.0.2.50"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = "192.0.2.50:41000"
		for k, vs := range tc.headers {
			for _, v := range vs {
				r.Header.Add(k, v)
			}
		}
		var got string
		forwardedFor(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = clientIP(r) })).ServeHTTP(httptest.NewRecorder(), r)
		if got != tc.want {
			t.Errorf("%s: client %q, want %q", tc.name, got, tc.want)
		}
	}
}

// The per-address limits count an IPv6 subscriber's whole /64 as one.
func TestAddressKey(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"192.0.2.7":            "192.0.2.7",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1": "2001:db8:1:2::/64",
		"::ffff:192.0.2.7":     "::ffff:192.0.2.7",
		"not an address":       "not an address",
	} {
		if got := addressKey(in); got != want {
			t.Errorf("addressKey(%q) = %q, want %q", in, got, want)
		}
	}
}
