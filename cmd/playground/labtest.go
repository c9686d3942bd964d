package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/labplay/playground/labtest"
)

// labTestUsage says how "playground lab test" is called.
const labTestUsage = "usage: playground lab test LAB [--server URL] [--lang L[,L...]] [--keep] [--block-timeout D] [--check-wait D]\n" +
	"  LAB is a slug the server serves, or a lab folder whose slug it serves"

// labTest runs "playground lab test LAB": the lab run as a learner would,
// against a running playground (package labtest). It prints a table per
// language on out and progress on log, and fails naming the first section
// that failed. Flags may come before or after LAB.
func labTest(ctx context.Context, args []string, out, log io.Writer) error {
	fset := flag.NewFlagSet("lab test", flag.ContinueOnError)
	fset.SetOutput(io.Discard)
	server := fset.String("server", labtest.DefaultServer, "the playground's URL")
	lang := fset.String("lang", "", "the languages to test, separated by commas (default: every language of the lab)")
	keep := fset.Bool("keep", false, "leave each session running and print its URL")
	blockTimeout := fset.Duration("block-timeout", labtest.DefaultBlockTimeout, "how long one run block may take to give the prompt back")
	checkWait := fset.Duration("check-wait", labtest.DefaultCheckWait, "how long a section's checks may take to pass after its blocks")
	var labsGiven []string
	for {
		if err := fset.Parse(args); err != nil {
			return fmt.Errorf("%v\n%s", err, labTestUsage)
		}
		if fset.NArg() == 0 {
			break
		}
		labsGiven, args = append(labsGiven, fset.Arg(0)), fset.Args()[1:]
	}
	if len(labsGiven) != 1 {
		return errors.New(labTestUsage)
	}
	opts := labtest.Options{Server: *server, Lab: labsGiven[0], Keep: *keep,
		BlockTimeout: *blockTimeout, CheckWait: *checkWait, Log: log}
	if *lang != "" {
		opts.Langs = strings.FieldsFunc(*lang, func(r rune) bool { return r == ',' || r == ' ' })
	}
	rep, err := labtest.Run(ctx, opts)
	if rep != nil {
		rep.WriteTable(out)
	}
	switch {
	case errors.Is(err, context.Canceled):
		return errors.New("interrupted; the sessions were ended unless --keep was given")
	case err != nil:
		return err
	case rep.Failure() != nil:
		return fmt.Errorf("the lab %q failed: %w", rep.Slug, rep.Failure())
	}
	fmt.Fprintf(out, "the lab %q passed\n", rep.Slug)
	return nil
}
