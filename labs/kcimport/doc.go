// Package kcimport converts a Killercoda scenario (a folder with an
// index.json, Markdown texts for its intro, steps and finish, and shell
// scripts) into a lab folder: steps become sections, {{exec}} blocks run
// blocks, {{copy}} blocks plain code blocks, verify scripts checks, and
// background and foreground scripts setup blocks (hidden, or typed into
// the learner's terminal). What does not carry over is listed as notes,
// by file of the scenario. Kubernetes backends are refused: a lab's nodes
// are Docker hosts.
package kcimport
