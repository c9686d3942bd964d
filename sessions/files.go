package sessions

// FileInfo describes a file in a node, uploaded or to download.
type FileInfo struct {
	Path string // absolute
	Size int64
}
