package main

import (
	"context"
	"os"

	"github.com/labplay/playground/server"
)

// runServe serves the playground until a signal arrives.
func runServe(ctx context.Context, args []string) error {
	cfg, err := server.ParseConfig(args, os.Getenv)
	if err != nil {
		return err
	}
	return server.Run(ctx, cfg, server.NewLogger(cfg), nil)
}
