package main

import (
	"context"
	"os"

	"github.com/labplay/playground/app"
)

// runServe serves the playground until a signal arrives.
func runServe(ctx context.Context, args []string) error {
	var m app.Main
	if err := m.ParseFlags(args, os.Getenv); err != nil {
		return err
	}
	return m.Run(ctx)
}
