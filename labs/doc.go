// Package labs holds the lab texts shipped with the playground and the code
// that reads, checks and renders them.
//
// A lab is a folder with a metadata file, lab.md, and one Markdown file per
// language (en.md, fr.md, ...). lab.md names the lab, its nodes and images,
// and holds everything that does not depend on the language: the checks that
// tell whether a section is done and the values that run blocks take from the
// live session. The language files hold the text, split into sections by
// top-level headings with stable ids, and the run and file blocks that the
// learner can click. The text is CommonMark, read by goldmark, with GFM
// tables and strikethrough; raw HTML in it is shown as text. The README's
// "Writing a lab" section describes the format for instructors.
//
// Lint reports every problem of a lab as "file:line: message"; a lab that
// lints clean always loads and renders. The labs shipped with the binary are
// embedded and available through Builtin.
package labs
