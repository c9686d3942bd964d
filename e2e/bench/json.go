package bench

import (
	"encoding/json"
	"io"
)

// decodeJSON decodes one JSON value from r into v.
func decodeJSON(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }
