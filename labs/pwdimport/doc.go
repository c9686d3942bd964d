// Package pwdimport converts a Play with Docker training post, a Jekyll
// Markdown file written for training.play-with-docker.com, into a lab of
// the playground: the files lab.md and en.md of a lab folder.
//
// The post's click-to-run blocks (```.term1) become run blocks on the node
// of the same number, its port links ({:data-term} and {:data-port}
// attributes) become port: links, and its headings of the top level in use
// become the lab's sections. Liquid escapes such as {{ "{{" }} and
// {% raw %} are resolved. What has no equivalent in the lab format, such
// as other Liquid tags, kramdown attribute lists, HTML and images, is
// dropped or reduced to text, and every such change is reported as a Note
// with the line of the post it concerns. The result is meant to pass
// labs.Lint. Its checks are inferred from what each section's commands
// leave on their node (a container, a volume, a swarm, a file, a port that
// answers), and each is marked in lab.md as inferred, for the lab's author
// to read; sections with nothing to infer are done when the learner marks
// them so.
package pwdimport
