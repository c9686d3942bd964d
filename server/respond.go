package server

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/labplay/playground/fault"

	"github.com/go-chi/chi/v5"
)

// maxBody is the largest JSON request body the API accepts.
const maxBody = 64 << 10

// statusOf maps each error code to its HTTP status.
var statusOf = map[fault.Code]int{
	fault.EINVALID:      http.StatusBadRequest,
	fault.EUNAUTHORIZED: http.StatusUnauthorized,
	fault.EFORBIDDEN:    http.StatusForbidden,
	fault.ENOTFOUND:     http.StatusNotFound,
	fault.ECONFLICT:     http.StatusConflict,
	fault.ENOTALLOWED:   http.StatusMethodNotAllowed,
	fault.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	fault.ERATELIMITED:  http.StatusTooManyRequests,
	fault.EFULL:         http.StatusServiceUnavailable,
	fault.EUNAVAILABLE:  http.StatusServiceUnavailable,
	fault.EINTERNAL:     http.StatusInternalServerError,
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
	code := fault.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		code, status = fault.EINTERNAL, http.StatusInternalServerError
	}
	var e *fault.Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(e.RetryAfter.Seconds()+0.5)))
	} else if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	if r.Context().Err() != nil && errors.Is(err, r.Context().Err()) {
		// The client went away (a page left, a tab closed) and took the
		// request's context with it: nobody reads the answer, and nothing
		// failed on this side.
		s.log.Debug("client went away", "method", r.Method, "path", r.URL.Path, "err", err)
		w.WriteHeader(499)
		return
	}
	s.metrics.Error(string(code))
	switch {
	case status >= 500 && code != fault.EFULL:
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "code", code, "err", err)
	case refusals[code]:
		// A limit said no: one line that says why, and to whom.
		s.log.Info("request refused", "method", r.Method, "path", r.URL.Path, "code", code,
			"client", clientIP(r), "session", chi.URLParam(r, "id"), "reason", fault.ErrorMessage(err))
	default:
		s.log.Debug("request refused", "method", r.Method, "path", r.URL.Path, "code", code, "err", err)
	}
	writeJSON(w, status, map[string]any{"error": map[string]string{
		"code": string(code), "message": fault.ErrorMessage(err),
	}})
}

// refusals are the codes a limit answers with (conflict: a cap on live
// sessions); they are logged at info.
var refusals = map[fault.Code]bool{
	fault.EFULL: true, fault.ERATELIMITED: true, fault.EFORBIDDEN: true, fault.ETOOLARGE: true,
	fault.ECONFLICT: true,
}

// decodeJSON reads a JSON body of at most maxBody bytes into v. An empty body
// leaves v as it is when allowEmpty is set. Unknown fields are refused so
// typos show up.
func decodeJSON(r *http.Request, v any, allowEmpty bool) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return fault.Errorf(fault.EINVALID, "Send the request body as application/json.")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return fault.Errorf(fault.EINVALID, "Could not read the request body.")
	}
	if len(body) > maxBody {
		return fault.Errorf(fault.ETOOLARGE, "The request body is over %d KiB.", maxBody>>10)
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		if allowEmpty {
			return nil
		}
		return fault.Errorf(fault.EINVALID, "The request body is empty; send a JSON object.")
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fault.Errorf(fault.EINVALID, "Malformed JSON: %s.", jsonProblem(err))
	}
	if dec.More() {
		return fault.Errorf(fault.EINVALID, "Malformed JSON: extra data after the object.")
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
