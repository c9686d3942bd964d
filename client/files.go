package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// FileInfo is the API's answer to an upload.
type FileInfo struct {
	Node string `json:"node"`
	Path string `json:"path"` // absolute, in the node
	Size int64  `json:"size"`
}

// filesPath is the API path of a node's files, with path in the query.
func filesPath(id, node, path string) string {
	return "/api/sessions/" + url.PathEscape(id) + "/nodes/" + url.PathEscape(node) + "/files?path=" + url.QueryEscape(path)
}

// Upload writes size bytes of content to path on a node of the session; a
// relative path lands in the working directory of the node's shell.
func (c *Client) Upload(ctx context.Context, id, node, path string, content io.Reader, size int64) (*FileInfo, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, c.Base+filesPath(id, node, path), content)
	if err != nil {
		return nil, err
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if err := apiError(resp); err != nil {
		return nil, err
	}
	var info FileInfo
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		return nil, fmt.Errorf("decode the upload's answer: %w", err)
	}
	return &info, nil
}

// Download copies the file at path on a node of the session to w and
// returns its size.
func (c *Client) Download(ctx context.Context, id, node, path string, w io.Writer) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Base+filesPath(id, node, path), nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if err := apiError(resp); err != nil {
		return 0, err
	}
	n, err := io.Copy(w, resp.Body)
	if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
		err = fmt.Errorf("the download stopped after %d of %d bytes", n, resp.ContentLength)
	}
	return n, err
}

// apiError returns the *APIError of an answer of 400 or above, or nil.
func apiError(resp *http.Response) error {
	if resp.StatusCode < 400 {
		return nil
	}
	var e struct {
		Error APIError `json:"error"`
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	json.Unmarshal(data, &e)
	e.Error.Status = resp.StatusCode
	e.Error.RetryAfter = retryAfter(resp)
	return &e.Error
}
