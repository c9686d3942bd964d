package server

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/labplay/playground/sessions"
)

// maxBody is the largest JSON request body the API accepts.
const maxBody = 64 << 10

// statusOf maps each error code to its HTTP status.
var statusOf = map[sessions.Code]int{
	sessions.EINVALID:      http.StatusBadRequest,
	sessions.EUNAUTHORIZED: http.StatusUnauthorized,
	sessions.EFORBIDDEN:    http.StatusForbidden,
	sessions.ENOTFOUND:     http.StatusNotFound,
	sessions.ECONFLICT:     http.StatusConflict,
	sessions.ENOTALLOWED:   http.StatusMethodNotAllowed,
	sessions.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	sessions.ERATELIMITED:  http.StatusTooManyRequests,
	sessions.EFULL:         http.StatusServiceUnavailable,
	sessions.EUNAVAILABLE:  http.StatusServiceUnavailable,
	sessions.EINTERNAL:     http.StatusInternalServerError,
}

// writeJSON writes v as JSON with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

// writeError answers with the stable JSON error shape. Internal errors are
// logged with their cause and shown to the client as a generic message.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := sessions.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		code, status = sessions.EINTERNAL, http.StatusInternalServerError
	}
	var e *sessions.Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(e.RetryAfter.Seconds()+0.5)))
	} else if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	s.metrics.Error(string(code))
	switch {
	case status >= 500 && code != sessions.EFULL:
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "code", code, "err", err)
	case refusals[code]:
		// A limit said no: one line that says why, and to whom.
		s.log.Info("request refused", "method", r.Method, "path", r.URL.Path, "code", code,
			"client", clientIP(r), "session", chi.URLParam(r, "id"), "reason", sessions.ErrorMessage(err))
	default:
		s.log.Debug("request refused", "method", r.Method, "path", r.URL.Path, "code", code, "err", err)
	}
	writeJSON(w, status, map[string]any{"error": map[string]string{
		"code": string(code), "message": sessions.ErrorMessage(err),
	}})
}

// refusals are the codes a limit answers with (conflict: a cap on live
// sessions); they are logged at info.
var refusals = map[sessions.Code]bool{
	sessions.EFULL: true, sessions.ERATELIMITED: true, sessions.EFORBIDDEN: true, sessions.ETOOLARGE: true,
	sessions.ECONFLICT: true,
}

// decodeJSON reads a JSON body of at most maxBody bytes into v. An empty body
// leaves v as it is when allowEmpty is set. Unknown fields are refused so
// typos show up.
func decodeJSON(r *http.Request, v any, allowEmpty bool) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return sessions.Errorf(sessions.EINVALID, "Send the request body as application/json.")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return sessions.Errorf(sessions.EINVALID, "Could not read the request body.")
	}
	if len(body) > maxBody {
		return sessions.Errorf(sessions.ETOOLARGE, "The request body is over %d KiB.", maxBody>>10)
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		if allowEmpty {
			return nil
		}
		return sessions.Errorf(sessions.EINVALID, "The request body is empty; send a JSON object.")
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return sessions.Errorf(sessions.EINVALID, "Malformed JSON: %s.", jsonProblem(err))
	}
	if dec.More() {
		return sessions.Errorf(sessions.EINVALID, "Malformed JSON: extra data after the object.")
	}
	return nil
}

// jsonProblem describes a JSON decoding error without echoing Go types.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return "syntax error at byte " + strconv.FormatInt(syn.Offset, 10)
	case errors.As(err, &typ):
		return "field " + strconv.Quote(typ.Field) + " has the wrong type"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "the body ends too early"
	}
	return "not a JSON object"
}
