package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// ParseFlags reads m.Config from command-line flags, falling back to
// environment variables (looked up with getenv), then to defaults, and
// validates it: every setting that is wrong is reported, joined in one
// error. With -h it writes the usage to m.Output and returns flag.ErrHelp.
func (m *Main) ParseFlags(args []string, getenv func(string) string) error {
	out := m.Output
	if out == nil {
		out = os.Stderr
	}
	vals := make([]string, len(settings))
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() { usage(out) }
	for i, s := range settings {
		vals[i] = s.def
		if v := getenv(s.env); v != "" {
			vals[i] = v
		}
		set := func(v string) error { vals[i] = v; return nil }
		if s.isBool {
			fs.BoolFunc(s.flag, s.help, set)
		} else {
			fs.Func(s.flag, s.help, set)
		}
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}

	var c Config
	var errs []error
	for i, s := range settings {
		if err := s.parse(&c, vals[i]); err != nil {
			errs = append(errs, err)
		}
	}
	if err := c.Engine.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	m.Config = c
	return nil
}

// usage writes what "playground serve -h" shows: every setting with its
// flag, its environment variable, its default and its help.
func usage(w io.Writer) {
	fmt.Fprint(w, "Usage: playground serve [flags]\n\n"+
		"Every flag has an environment variable of the same meaning; a flag wins over its variable.\n\n")
	for _, s := range settings {
		fmt.Fprintf(w, "  -%s, %s", s.flag, s.env)
		if s.def != "" {
			fmt.Fprintf(w, " (default %q)", s.def)
		}
		fmt.Fprintf(w, "\n    \t%s\n", s.help)
	}
}
