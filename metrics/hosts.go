package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Host is one host of a cluster as the metrics describe it.
type Host struct {
	Name         string
	ID           string // the swarm node's id
	State        string // the swarm's: ready, down, ...
	Availability string // active, pause or drain
	Sessions     int
	Nodes        int
	MemoryBytes  int64
	Reserved     int64 // memory the instance's nodes reserve on it
}

// HostsFunc reads the cluster's hosts at each scrape.
type HostsFunc func() ([]Host, error)

// WatchHosts adds the per-host gauges of a cluster, read from hosts at
// each scrape: playground_cluster_up (0 when the swarm's manager does not
// answer, and then nothing else), playground_host_up (1 when ready and
// active, 0.5 paused or drained, 0 down), playground_host_sessions,
// playground_host_nodes and playground_host_memory_bytes by kind (total,
// reserved, free). Hosts are labelled by name and swarm node id: a host
// that left and joined again is two nodes of the swarm.
func (m *Metrics) WatchHosts(hosts HostsFunc) {
	if m == nil {
		return
	}
	m.reg.MustRegister(&hostCollector{hosts: hosts,
		cluster:  prometheus.NewDesc("playground_cluster_up", "Whether the swarm's manager answers.", nil, nil),
		up:       prometheus.NewDesc("playground_host_up", "Whether a cluster host takes sessions: 1 ready and active, 0.5 ready but paused or drained, 0 down.", []string{"host", "id", "state", "availability"}, nil),
		sessions: prometheus.NewDesc("playground_host_sessions", "Sessions whose nodes run on a cluster host.", []string{"host", "id"}, nil),
		nodes:    prometheus.NewDesc("playground_host_nodes", "Nodes running on a cluster host.", []string{"host", "id"}, nil),
		memory:   prometheus.NewDesc("playground_host_memory_bytes", "A cluster host's memory: total, reserved by nodes, and free to place into.", []string{"host", "id", "kind"}, nil),
	})
}

// hostCollector reads the hosts at each scrape.
type hostCollector struct {
	hosts                                HostsFunc
	cluster, up, sessions, nodes, memory *prometheus.Desc
}

func (c *hostCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.cluster
	ch <- c.up
	ch <- c.sessions
	ch <- c.nodes
	ch <- c.memory
}

func (c *hostCollector) Collect(ch chan<- prometheus.Metric) {
	hosts, err := c.hosts()
	if err != nil {
		ch <- prometheus.MustNewConstMetric(c.cluster, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.cluster, prometheus.GaugeValue, 1)
	for _, h := range hosts {
		up := 0.0
		switch {
		case h.State == "ready" && h.Availability == "active":
			up = 1
		case h.State == "ready":
			up = 0.5
		}
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, up, h.Name, h.ID, h.State, h.Availability)
		ch <- prometheus.MustNewConstMetric(c.sessions, prometheus.GaugeValue, float64(h.Sessions), h.Name, h.ID)
		ch <- prometheus.MustNewConstMetric(c.nodes, prometheus.GaugeValue, float64(h.Nodes), h.Name, h.ID)
		ch <- prometheus.MustNewConstMetric(c.memory, prometheus.GaugeValue, float64(h.MemoryBytes), h.Name, h.ID, "total")
		ch <- prometheus.MustNewConstMetric(c.memory, prometheus.GaugeValue, float64(h.Reserved), h.Name, h.ID, "reserved")
		ch <- prometheus.MustNewConstMetric(c.memory, prometheus.GaugeValue, float64(max(0, h.MemoryBytes-h.Reserved)), h.Name, h.ID, "free")
	}
}
