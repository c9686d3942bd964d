// Command pgecho is a small web app the ports tests run inside a node: it
// answers / with the request's path, host and cookies, /big?mib=N with N
// MiB, and /ws with a websocket that echoes every message.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"net/http"
	"strconv"

	"github.com/gorilla/websocket"
)

func main() {
	addr := flag.String("addr", ":9000", "listen address")
	flag.Parse()
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	http.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		for {
			t, msg, err := c.ReadMessage()
			if err != nil {
				return
			}
			if err := c.WriteMessage(t, append([]byte("echo:"), msg...)); err != nil {
				return
			}
		}
	})
	http.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("mib"))
		chunk := bytes.Repeat([]byte("x"), 1<<20)
		w.Header().Set("Content-Length", strconv.Itoa(n<<20))
		for i := 0; i < n; i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "pgecho path=%s host=%s cookies=%q prefix=%s\n", r.URL.Path, r.Host, r.Header.Get("Cookie"), r.Header.Get("X-Forwarded-Prefix"))
	})
	log.Fatal(http.ListenAndServe(*addr, nil))
}
