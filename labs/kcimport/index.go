package kcimport

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// index is what the conversion reads of a scenario's index.json.
type index struct {
	Title       string  `json:"title"`
	Description string  `json:"description"`
	Difficulty  string  `json:"difficulty"`
	Time        string  `json:"time"`
	Details     details `json:"details"`
	Backend     struct {
		ImageID string `json:"imageid"`
	} `json:"backend"`
}

type details struct {
	Intro  *page              `json:"intro"`
	Steps  []page             `json:"steps"`
	Finish *page              `json:"finish"`
	Assets map[string][]asset `json:"assets"` // by host: host01, host02, ...
}

// page is the intro, a step or the finish: a text and its scripts, each a
// path in the scenario's folder.
type page struct {
	Title      string `json:"title"`
	Text       string `json:"text"`
	Verify     string `json:"verify"`
	Background string `json:"background"`
	Foreground string `json:"foreground"`
	// Katacoda's names, which Killercoda still reads: courseData for
	// background, code for foreground.
	CourseData string `json:"courseData"`
	Code       string `json:"code"`
}

// asset is a file of the scenario's assets folder copied to a host.
type asset struct {
	File   string `json:"file"`   // a name or a glob under assets/
	Target string `json:"target"` // the folder it goes to
	Chmod  string `json:"chmod"`  // as chmod takes it, e.g. +x
}

// known keys of index.json and of its details; others are noted.
var (
	indexKeys   = []string{"title", "description", "details", "backend", "time", "difficulty"}
	detailsKeys = []string{"intro", "steps", "finish", "assets"}
)

// parseIndex reads index.json and notes the keys it does not convert.
func parseIndex(src []byte, ns *notes) (*index, error) {
	var ix index
	if err := json.Unmarshal(src, &ix); err != nil {
		return nil, fmt.Errorf("index.json: %w", err)
	}
	var top map[string]json.RawMessage
	_ = json.Unmarshal(src, &top)
	noteUnknown(top, indexKeys, "", ns)
	var det map[string]json.RawMessage
	_ = json.Unmarshal(top["details"], &det)
	noteUnknown(det, detailsKeys, "details.", ns)
	return &ix, nil
}

// noteUnknown notes the keys of m that are not among known.
func noteUnknown(m map[string]json.RawMessage, known []string, prefix string, ns *notes) {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !contains(known, k) {
			ns.add("index.json", 0, "%s%s is not carried over (a lab has no such setting)", prefix, k)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// nodesFor gives the node count of a backend image, or an error for the
// backends a lab cannot stand for.
func nodesFor(imageID string, ns *notes) (int, error) {
	id := strings.ToLower(strings.TrimSpace(imageID))
	switch {
	case strings.HasPrefix(id, "kubernetes"):
		return 0, fmt.Errorf("the scenario runs on the Kubernetes backend %q: a lab's nodes are Docker hosts with no Kubernetes cluster, so it cannot be imported", imageID)
	case id == "" || strings.HasPrefix(id, "ubuntu"):
		return 1, nil
	default:
		ns.add("index.json", 0, "backend.imageid %q is not one the import knows; the lab gets one node (node1, a Debian Docker host)", imageID)
		return 1, nil
	}
}
