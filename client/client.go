// Package client is a small Go client of the playground's public API, for
// scripts that drive a playground (a workshop's set-up, a health probe). The
// end-to-end tests and the bench command drive the real server through it,
// the way a browser would: with a cookie jar and websockets.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strconv"
	"strings"
	"time"
)

// Client talks to one playground server as one browser (one cookie jar).
type Client struct {
	Base string // e.g. http://127.0.0.1:8080
	HTTP *http.Client
}

// New returns a client with an empty cookie jar: a new learner.
func New(base string) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{Base: strings.TrimRight(base, "/"), HTTP: &http.Client{Jar: jar, Timeout: 5 * time.Minute}}
}

// Session is the API's session shape.
type Session struct {
	ID        string    `json:"id"`
	Lab       string    `json:"lab"`
	Lang      string    `json:"lang"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Nodes     []struct {
		Name    string `json:"name"`
		Address string `json:"address"`
		Status  string `json:"status"`
	} `json:"nodes"`
	// Phase is what a starting session is busy with ("images" while its
	// lab's images are copied in).
	Phase string `json:"phase"`
	// EndedBecause says why an ended session ended when its host went:
	// "host_serviced", "host_lost" or "node_lost".
	EndedBecause string `json:"ended_because"`
	// ClassCode is, then, the code of its class.
	ClassCode string `json:"class_code"`
}

// APIError is an error answer of the API.
type APIError struct {
	Status  int
	Code    string `json:"code"`
	Message string `json:"message"`
	// RetryAfter is the answer's Retry-After, when it has one (a 429 or a
	// 503): how long to wait before asking again.
	RetryAfter time.Duration `json:"-"`
}

// retryAfter reads the Retry-After header of an answer, in seconds.
func retryAfter(resp *http.Response) time.Duration {
	n, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || n < 0 {
		return 0
	}
	return time.Duration(n) * time.Second
}

func (e *APIError) Error() string {
	return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.Code, e.Message)
}

// Do sends a request with an optional JSON body and decodes a JSON answer
// into out (when not nil). Answers of 400 and above become *APIError.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp, err
	}
	if resp.StatusCode >= 400 {
		var e struct {
			Error APIError `json:"error"`
		}
		json.Unmarshal(data, &e)
		e.Error.Status = resp.StatusCode
		e.Error.RetryAfter = retryAfter(resp)
		return resp, &e.Error
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return resp, fmt.Errorf("decode %s %s: %w", method, path, err)
		}
	}
	return resp, nil
}

// CreateSession starts a session, with a lab when lab is not empty.
func (c *Client) CreateSession(ctx context.Context, lab, lang string) (*Session, error) {
	var body any
	if lab != "" {
		body = map[string]string{"lab": lab, "lang": lang}
	}
	var s Session
	_, err := c.Do(ctx, http.MethodPost, "/api/sessions", body, &s)
	return &s, err
}

// Session reads one session.
func (c *Client) Session(ctx context.Context, id string) (*Session, error) {
	var s Session
	_, err := c.Do(ctx, http.MethodGet, "/api/sessions/"+id, nil, &s)
	return &s, err
}

// DeleteSession ends a session.
func (c *Client) DeleteSession(ctx context.Context, id string) error {
	_, err := c.Do(ctx, http.MethodDelete, "/api/sessions/"+id, nil, nil)
	return err
}
