package server

// Config is what the handlers are told by the configuration (app reads it
// from flags and environment).
type Config struct {
	// PublicURL is the URL learners use, when behind a proxy; optional.
	// Origin checks, links and Secure cookies follow it.
	PublicURL string
	// TrustProxy takes the client's address from the last X-Forwarded-For
	// entry, the one the proxy appends (routes.go); X-Real-IP is never
	// believed. Set it only behind a proxy that sets the header.
	TrustProxy bool
	// PortsDomain, when set, serves each node's port on a host of its own,
	// <node>-<port>-<key>.<PortsDomain> (a wildcard DNS name pointing at
	// the server); ports are always served under /ports/ too (ports.go).
	PortsDomain string
	// UploadMax bounds the size of one file uploaded to a node;
	// DefaultUploadMax when 0.
	UploadMax int64
	// Preview serves labs for their author ("playground lab preview"):
	// open pages look for a new version of their lab every PreviewPoll
	// instead of LabPoll, and see the lint problems of its latest one.
	Preview bool
}
