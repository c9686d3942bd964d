package engine

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/labplay/playground/sessions"
)

// Files move between a learner's browser and a node through plain execs of
// sh, cat and stat in the node, the way terminals and checks reach it, so
// they work with a remote engine too. The Engine API's archive endpoints
// are not used: they see the container's own root, and a node's files live
// on the overlay the agent builds over its disk (see agent/rootdisk.go).
const (
	// MaxFilePath bounds the length of a path given for a file.
	MaxFilePath = 4096
	// fileTimeout bounds one transfer; a slow upload of a large file on a
	// school's link still fits.
	fileTimeout = 15 * time.Minute
	// statTimeout bounds the look-up before a download.
	statTimeout = 10 * time.Second
)

// resolvePath is the part of the file scripts that turns $1 into an absolute
// path in $p: a relative path is taken from the working directory of the
// node's shell (the agent, process 1, starts each shell as the leader of a
// session on a terminal), or /root when no shell runs.
const resolvePath = `p=$1
case $p in
/*) ;;
*)
	dir=/root
	for f in /proc/[0-9]*/stat; do
		read -r line <"$f" 2>/dev/null || continue
		set -- ${line##*) }
		pid=${f#/proc/}
		pid=${pid%/stat}
		if [ "$2" = 1 ] && [ "$4" = "$pid" ] && [ "$5" != 0 ]; then
			d=$(readlink "/proc/$pid/cwd" 2>/dev/null) && [ -d "$d" ] && dir=$d && break
		fi
	done
	p=${dir%/}/$p
	;;
esac
`

// writeScript writes its standard input to the file $1, which must end up
// exactly $2 bytes long: it writes to a temporary file beside the target
// and renames it only when the whole content arrived, so a transfer cut
// short leaves nothing behind. It prints the absolute path.
const writeScript = `set -u
size=$2
` + resolvePath + `if [ -d "$p" ]; then echo "$p is a folder." >&2; exit 4; fi
parent=$(dirname -- "$p")
mkdir -p -- "$parent" || exit 5
t=$parent/.playground-upload.$$
trap 'rm -f -- "$t"' EXIT
cat >"$t" || exit 5
if [ "$(stat -c %s -- "$t")" != "$size" ]; then exit 3; fi
mv -f -- "$t" "$p" || exit 5
trap - EXIT
printf '%s' "$p"
`

// statScript prints "KIND SIZE PATH" for the file $1, following links:
// KIND is f for a regular file, d for a folder, o for anything else.
const statScript = `set -u
` + resolvePath + `if [ ! -e "$p" ]; then echo "There is no file $p." >&2; exit 2; fi
kind=o
if [ -d "$p" ]; then kind=d; elif [ -f "$p" ]; then kind=f; fi
printf '%s %s %s' "$kind" "$(stat -L -c %s -- "$p")" "$p"
`

// checkPath refuses paths that cannot name a file.
func checkPath(path string) error {
	switch {
	case strings.TrimSpace(path) == "":
		return fault.Errorf(fault.EINVALID, "Give the file's path.")
	case len(path) > MaxFilePath:
		return fault.Errorf(fault.EINVALID, "The path is longer than %d bytes.", MaxFilePath)
	case strings.ContainsAny(path, "\x00\n"):
		return fault.Errorf(fault.EINVALID, "The path holds a NUL byte or a line break.")
	case strings.HasSuffix(path, "/"):
		return fault.Errorf(fault.EINVALID, "The path %q names a folder; add the file's name.", path)
	}
	return nil
}

// WriteFile writes size bytes from content to path in the node, creating
// its folders; a relative path is taken from the working directory of the
// node's shell. The file appears whole or not at all: when content ends
// early or fails, nothing is written and the error is EINVALID. It returns
// the file's absolute path. A full disk or a path that cannot be written is
// EINVALID with the node's own words; a stopped node is EUNAVAILABLE.
func (e *Engine) WriteFile(ctx context.Context, containerID, path string, size int64, content io.Reader) (sessions.FileInfo, error) {
	if err := checkPath(path); err != nil {
		return sessions.FileInfo{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, fileTimeout)
	defer cancel()
	// A content reader that fails (the browser went away, the body was too
	// large) ends the exec's input early; the size check then refuses it.
	stdin := io.NopCloser(&failEnds{r: content})
	out, errs := &cappedBuffer{max: MaxFilePath + 64}, &cappedBuffer{max: 4 << 10}
	code, err := e.runSplit(ctx, containerID,
		[]string{"sh", "-c", writeScript, "sh", path, strconv.FormatInt(size, 10)}, stdin, out, errs)
	if err != nil {
		return sessions.FileInfo{}, err
	}
	switch code {
	case 0:
		return sessions.FileInfo{Path: out.String(), Size: size}, nil
	case 3:
		return sessions.FileInfo{}, fault.Errorf(fault.EINVALID, "The file did not arrive whole; nothing was written.")
	default:
		return sessions.FileInfo{}, fileError(code, errs.String(), "The file could not be written")
	}
}

// StatFile returns the absolute path and size of a regular file in the
// node. A missing file is ENOTFOUND; a folder or a device is EINVALID.
func (e *Engine) StatFile(ctx context.Context, containerID, path string) (sessions.FileInfo, error) {
	if err := checkPath(path); err != nil {
		return sessions.FileInfo{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, statTimeout)
	defer cancel()
	out, errs := &cappedBuffer{max: MaxFilePath + 64}, &cappedBuffer{max: 4 << 10}
	code, err := e.runSplit(ctx, containerID, []string{"sh", "-c", statScript, "sh", path}, nil, out, errs)
	if err != nil {
		return sessions.FileInfo{}, err
	}
	if code == 2 {
		return sessions.FileInfo{}, fault.Errorf(fault.ENOTFOUND, "%s", nodeText(errs.String()))
	}
	if code != 0 {
		return sessions.FileInfo{}, fileError(code, errs.String(), "The file could not be read")
	}
	kind, rest, _ := strings.Cut(out.String(), " ")
	sizeText, abs, _ := strings.Cut(rest, " ")
	size, perr := strconv.ParseInt(sizeText, 10, 64)
	switch {
	case perr != nil:
		return sessions.FileInfo{}, fault.Errorf(fault.EINTERNAL, "unexpected stat output %q", nodeText(out.String()))
	case kind == "d":
		return sessions.FileInfo{}, fault.Errorf(fault.EINVALID, "%s is a folder; only files can be downloaded.", abs)
	case kind != "f":
		return sessions.FileInfo{}, fault.Errorf(fault.EINVALID, "%s is not a regular file.", abs)
	}
	return sessions.FileInfo{Path: abs, Size: size}, nil
}

// ReadFile copies the file at the absolute path abs (from StatFile) to w.
// The copy stops when ctx ends.
func (e *Engine) ReadFile(ctx context.Context, containerID, abs string, w io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, fileTimeout)
	defer cancel()
	errs := &cappedBuffer{max: 4 << 10}
	code, err := e.runSplit(ctx, containerID, []string{"cat", "--", abs}, nil, w, errs)
	if err != nil {
		return err
	}
	if code != 0 {
		return fileError(code, errs.String(), "The file could not be read")
	}
	return nil
}

// fileError turns a failed file script into an error that carries the
// node's own explanation (No space left on device, Permission denied...).
func fileError(code int, stderr, what string) error {
	text := nodeText(stderr)
	if text == "" {
		return fault.Errorf(fault.EINVALID, "%s (exit status %d).", what, code)
	}
	// cat and mv name themselves first: "cat: write error: No space left on device".
	if i := strings.LastIndex(text, ": "); i >= 0 && code != 4 {
		text = text[i+2:]
	}
	return fault.Wrap(fault.EINVALID, fmt.Errorf("exit status %d: %s", code, nodeText(stderr)), what+": "+text+".")
}

// failEnds reads r and turns its failures into a plain end of input, which
// the node's size check then catches.
type failEnds struct{ r io.Reader }

func (f *failEnds) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err != nil && err != io.EOF {
		return n, io.EOF
	}
	return n, err
}
