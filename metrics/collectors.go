package metrics

import (
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// sessionCollector reads the live sessions and their nodes at each scrape.
type sessionCollector struct {
	counts SessionCounts
}

var (
	sessionsDesc = prometheus.NewDesc("playground_sessions", "Live sessions of this deployment by state.", []string{"state"}, nil)
	nodesDesc    = prometheus.NewDesc("playground_nodes", "Nodes of this deployment's live sessions.", nil, nil)
	countUpDesc  = prometheus.NewDesc("playground_sessions_count_up", "1 when the session counts could be read from Postgres at this scrape.", nil, nil)
)

func (c *sessionCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- sessionsDesc
	ch <- nodesDesc
	ch <- countUpDesc
}

func (c *sessionCollector) Collect(ch chan<- prometheus.Metric) {
	byState, nodes, err := c.counts()
	if err != nil {
		ch <- prometheus.MustNewConstMetric(countUpDesc, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(countUpDesc, prometheus.GaugeValue, 1)
	for _, state := range []string{"starting", "running", "paused"} {
		ch <- prometheus.MustNewConstMetric(sessionsDesc, prometheus.GaugeValue, float64(byState[state]), state)
	}
	ch <- prometheus.MustNewConstMetric(nodesDesc, prometheus.GaugeValue, float64(nodes))
}

// poolCollector describes the Postgres connection pool.
type poolCollector struct {
	pool *pgxpool.Pool
}

var (
	poolConnsDesc    = prometheus.NewDesc("playground_db_connections", "Postgres connections of the pool by state.", []string{"state"}, nil)
	poolMaxDesc      = prometheus.NewDesc("playground_db_connections_max", "Most connections the pool opens.", nil, nil)
	poolAcquiresDesc = prometheus.NewDesc("playground_db_acquires_total", "Connections taken from the pool.", nil, nil)
	poolWaitsDesc    = prometheus.NewDesc("playground_db_acquire_waits_total", "Acquisitions that had to wait for a connection.", nil, nil)
	poolWaitDesc     = prometheus.NewDesc("playground_db_acquire_wait_seconds_total", "Time spent waiting for a connection.", nil, nil)
)

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolConnsDesc, poolMaxDesc, poolAcquiresDesc, poolWaitsDesc, poolWaitDesc} {
		ch <- d
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.pool.Stat()
	ch <- prometheus.MustNewConstMetric(poolConnsDesc, prometheus.GaugeValue, float64(s.AcquiredConns()), "acquired")
	ch <- prometheus.MustNewConstMetric(poolConnsDesc, prometheus.GaugeValue, float64(s.IdleConns()), "idle")
	ch <- prometheus.MustNewConstMetric(poolConnsDesc, prometheus.GaugeValue, float64(s.ConstructingConns()), "constructing")
	ch <- prometheus.MustNewConstMetric(poolMaxDesc, prometheus.GaugeValue, float64(s.MaxConns()))
	ch <- prometheus.MustNewConstMetric(poolAcquiresDesc, prometheus.CounterValue, float64(s.AcquireCount()))
	ch <- prometheus.MustNewConstMetric(poolWaitsDesc, prometheus.CounterValue, float64(s.EmptyAcquireCount()))
	ch <- prometheus.MustNewConstMetric(poolWaitDesc, prometheus.CounterValue, s.AcquireDuration().Seconds())
}
