package e2e

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
)

// privatePostgres is a Postgres cluster of one test's own, from Debian's
// packages, that the test may stop and start without touching the cluster
// the other test packages share.
type privatePostgres struct {
	t    *testing.T
	bin  string
	dir  string
	port int
	URL  string
}

// newPrivatePostgres creates and starts the cluster, or skips the test
// saying what is missing; it is stopped and removed when the test ends.
func newPrivatePostgres(t *testing.T) *privatePostgres {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 || os.Geteuid() != 0 {
		t.Skip("needs Debian's postgresql and root (make test provides both)")
	}
	sort.Strings(bins)
	pg, err := user.Lookup("postgres")
	if err != nil {
		t.Skip("no postgres user")
	}
	uid, _ := strconv.Atoi(pg.Uid)
	gid, _ := strconv.Atoi(pg.Gid)
	dir, err := os.MkdirTemp("/tmp", "pg-private-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, uid, gid); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	p := &privatePostgres{t: t, bin: filepath.Dir(bins[len(bins)-1]), dir: dir, port: port,
		URL: fmt.Sprintf("postgres://postgres@127.0.0.1:%d/playground?sslmode=disable", port)}
	p.run("initdb", "-D", filepath.Join(dir, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions")
	p.Start()
	p.run("psql", "-h", "127.0.0.1", "-p", strconv.Itoa(port), "-U", "postgres", "-d", "postgres", "-qc", "CREATE DATABASE playground")
	t.Cleanup(func() {
		exec.Command("runuser", "-u", "postgres", "--", filepath.Join(p.bin, "pg_ctl"), "-D", filepath.Join(dir, "data"), "-m", "immediate", "-w", "stop").Run()
		os.RemoveAll(dir)
	})
	return p
}

// run runs one of Postgres's programs as the postgres user.
func (p *privatePostgres) run(prog string, args ...string) {
	p.t.Helper()
	cmd := exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(p.bin, prog)}, args...)...)
	cmd.Dir = "/"
	if out, err := cmd.CombinedOutput(); err != nil {
		p.t.Fatalf("%s: %v\n%s", prog, err, out)
	}
}

// Start starts the cluster and waits until it accepts connections.
func (p *privatePostgres) Start() {
	p.t.Helper()
	p.run("pg_ctl", "-D", filepath.Join(p.dir, "data"), "-l", filepath.Join(p.dir, "log"), "-w", "-t", "60",
		"-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1", p.port, p.dir), "start")
}

// Stop stops the cluster (fast: connections are cut, as in an outage).
func (p *privatePostgres) Stop() {
	p.t.Helper()
	p.run("pg_ctl", "-D", filepath.Join(p.dir, "data"), "-m", "fast", "-w", "stop")
}
