package reporttest

import (
	"time"

	"github.com/netprobe/netprobe/result"
	"github.com/netprobe/netprobe/watch"
)

// WatchFixture is one named watch summary.
type WatchFixture struct {
	Name    string
	Summary *watch.Summary
}

// AllWatch returns fresh copies of every watch fixture, in a fixed order.
func AllWatch() []WatchFixture {
	return []WatchFixture{
		{"watch-flapping", WatchFlapping()},
		{"watch-healthy", WatchHealthy()},
		{"watch-hostile", WatchHostile()},
		{"watch-empty", WatchEmpty()},
	}
}

// watchRound is one synthetic round: the gateway's state and the ping
// figures of the gateway and an internet host.
type watchRound struct {
	gateway  result.Status
	gwRTT    float64
	received int // of 10 echo requests to the internet host
	inetRTT  float64
}

// watchReport builds the report of one round at time at.
func watchReport(at time.Time, w watchRound) *result.Report {
	r := base("netprobe watch --interval 1s --duration 2m --upstream 1.1.1.1")
	r.StartedAt, r.Duration = at, 300*ms
	ping := func(l result.Layer, target string, st result.Status, reason result.Reason, sent, recv int, rtt float64) result.Check {
		ev := map[string]any{"sent": sent, "received": recv, "loss_pct": float64(sent-recv) / float64(sent) * 100, "method": "icmp"}
		detail := target + " answers ping"
		if recv > 0 {
			ev["rtt_ms"], ev["avg_ms"] = rtt, rtt
		} else {
			ev["method"] = "none"
			detail = target + " does not answer: no reply to ping or TCP ports 53, 80, 443"
		}
		c := check("ping", l, target, st, 0, 250*ms, detail, ev)
		c.Reason = reason
		return c
	}
	link := layer(result.Link, result.OK, check("link", result.Link, "eth0", result.OK, 0, 0, "eth0 is up", nil))
	var gw, inet result.LayerResult
	switch w.gateway {
	case result.Fail:
		gw = layer(result.Gateway, result.Fail, ping(result.Gateway, "192.168.1.1", result.Fail, result.ReasonGatewayNoReply, 10, 0, 0))
		inet = layer(result.Internet, result.Fail, ping(result.Internet, "1.1.1.1", result.Fail, result.ReasonInternetNoReply, 10, 0, 0))
		r.Verdict = result.Verdict{Status: result.Failed, Layer: result.Gateway, Reason: result.ReasonGatewayNoReply,
			Summary: "The router (192.168.1.1) does not answer.", Consequences: []result.Layer{result.Internet}}
	default:
		gw = layer(result.Gateway, result.OK, ping(result.Gateway, "192.168.1.1", result.OK, "", 10, 10, w.gwRTT))
		ist, reason := result.OK, result.Reason("")
		if w.received < 9 {
			ist, reason = result.Warn, result.ReasonInternetLoss
		}
		inet = layer(result.Internet, ist, ping(result.Internet, "1.1.1.1", ist, reason, 10, w.received, w.inetRTT))
		r.Verdict = result.Verdict{Status: result.Healthy, Layer: result.None, Summary: "Everything netprobe tested works."}
		if ist == result.Warn {
			r.Verdict = result.Verdict{Status: result.Degraded, Layer: result.Internet, Reason: reason,
				Summary: "The internet connection works but loses packets."}
		}
	}
	r.Layers = []result.LayerResult{link, gw, inet}
	return r
}

// feed runs rounds through a real aggregator, one a second from Start,
// marking every fourth round full.
func feed(rounds []watchRound, end time.Duration, interrupted bool) *watch.Summary {
	a := watch.New(watch.Config{BucketWidth: time.Second, Buckets: 60})
	for i, w := range rounds {
		a.Add(watchReport(Start.Add(time.Duration(i)*time.Second), w), i%4 == 0)
	}
	return a.Summary(watch.Meta{Interval: time.Second, FullEvery: 4, End: Start.Add(end), Interrupted: interrupted})
}

// WatchFlapping is two minutes of a router that drops out twice (for 9 s
// and 4 s, the internet failing with it) and an internet path that loses
// packets now and then; the watch was stopped with Ctrl-C while the
// router was down a third time.
func WatchFlapping() *watch.Summary {
	var rounds []watchRound
	for i := 0; i < 120; i++ {
		w := watchRound{gateway: result.OK, gwRTT: 1 + float64(i%7)*0.3, received: 10, inetRTT: 14 + float64((i*37)%23)}
		switch {
		case i >= 30 && i < 39, i >= 80 && i < 84, i >= 117:
			w.gateway = result.Fail
		case i%13 == 0:
			w.received = 7
			w.inetRTT = 95
		}
		rounds = append(rounds, w)
	}
	return feed(rounds, 120500*ms, true)
}

// WatchHealthy is a minute in which nothing failed.
func WatchHealthy() *watch.Summary {
	var rounds []watchRound
	for i := 0; i < 60; i++ {
		rounds = append(rounds, watchRound{gateway: result.OK, gwRTT: 1.2, received: 10, inetRTT: 14 + float64(i%5)})
	}
	return feed(rounds, 60*time.Second, false)
}

// WatchEmpty is a watch stopped before its first round finished.
func WatchEmpty() *watch.Summary {
	s := watch.New(watch.Config{}).Summary(watch.Meta{Interval: 5 * time.Second, FullEvery: 12, End: Start, Interrupted: true})
	s.Tool, s.Command = result.Tool{Name: "netprobe", Version: "0.3.0"}, "netprobe watch"
	return s
}

// WatchHostile is a watch whose targets and details carry the strings of
// Hostile: markup, escape sequences, a line feed.
func WatchHostile() *watch.Summary {
	a := watch.New(watch.Config{BucketWidth: time.Second})
	for i := 0; i < 4; i++ {
		r := Hostile()
		r.StartedAt = Start.Add(time.Duration(i) * time.Second)
		if i == 2 {
			// The printer recovers and the service fails outright.
			r.Layers[0].Status = result.Fail
			r.Layers[0].Checks[0].Status = result.Fail
			r.Layers[0].Checks[0].Evidence["connect_ms"] = 3.0
			r.Verdict.Status, r.Verdict.Layer = result.Failed, result.Service
		}
		a.Add(r, true)
	}
	s := a.Summary(watch.Meta{Interval: time.Second, FullEvery: 1, End: Start.Add(4 * time.Second)})
	return s
}
