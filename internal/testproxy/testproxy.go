// Package testproxy runs a small HTTP proxy for tests, on loopback unless
// told otherwise: CONNECT
// tunnels and absolute-form GETs, as a browser's proxy serves them, with a
// fixed name table instead of DNS (so nothing it dials leaves 127.0.0.1),
// optional Basic authentication, and the faults a real proxy shows: a
// login demand (407), a policy refusal (403), silence after accepting,
// and answering every request with a page of its own. Every proxy stops
// when its test ends.
//
// No Go library on the module proxy offers this without much more than a
// test needs (goproxy is a full MITM framework), so it is written here:
// about a hundred lines over net/http's request and response parsing.
package testproxy

import (
	"bufio"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Mode is a proxy's behaviour.
type Mode int

const (
	// Forward tunnels and forwards (the default).
	Forward Mode = iota
	// Deny answers every request with 403.
	Deny
	// Silent accepts connections and never answers.
	Silent
	// Everything answers every request itself, 200 with its own page,
	// whatever was asked (a misconfigured or intercepting proxy).
	Everything
	// Stall answers requests for itself (origin-form, which it refuses
	// with 400) at once, but holds every CONNECT and proxied request
	// without an answer: a proxy still waiting for an unreachable target.
	Stall
)

// Options configures a proxy.
type Options struct {
	// Hosts maps the names (or addresses) requests ask for to the address
	// the proxy dials instead, e.g. "svc.lab.test" → "127.0.0.1". A host
	// not listed gets 502, as from a proxy that cannot resolve it.
	Hosts map[string]string
	// User and Password, when set, are required (Basic); anything else
	// gets 407.
	User, Password string
	Mode           Mode
	// Listen is the address to listen on; empty means 127.0.0.1:0. (A
	// fault lab may listen on a lab address inside its own namespace.)
	Listen string
	// Dial, when set, opens the proxy's connections to the targets
	// instead of net.DialTimeout: a fault lab's proxy must dial from
	// inside the lab's namespace, never from the host's.
	Dial func(network, addr string) (net.Conn, error)
}

// Proxy is a running proxy.
type Proxy struct {
	// URL is http://127.0.0.1:PORT, without credentials.
	URL *url.URL
	opt Options
	ln  net.Listener

	mu       sync.Mutex
	requests []string
	conns    map[net.Conn]bool
}

// Start runs a proxy on 127.0.0.1 (or opt.Listen) until the test ends.
func Start(t testing.TB, opt Options) *Proxy {
	t.Helper()
	addr := opt.Listen
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{URL: &url.URL{Scheme: "http", Host: ln.Addr().String()}, opt: opt, ln: ln, conns: map[net.Conn]bool{}}
	go p.serve()
	t.Cleanup(p.close)
	return p
}

// Requests returns the request lines the proxy got ("CONNECT h:443",
// "GET http://h/p"), in order.
func (p *Proxy) Requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.requests...)
}

func (p *Proxy) close() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
}

func (p *Proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		p.conns[c] = true
		p.mu.Unlock()
		go p.handle(c)
	}
}

func (p *Proxy) handle(c net.Conn) {
	defer func() {
		c.Close()
		p.mu.Lock()
		delete(p.conns, c)
		p.mu.Unlock()
	}()
	if p.opt.Mode == Silent {
		io.Copy(io.Discard, c) // until the client or the test hangs up
		return
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	line := req.Method + " " + req.RequestURI
	p.mu.Lock()
	p.requests = append(p.requests, line)
	p.mu.Unlock()
	switch {
	case p.opt.Mode == Deny:
		reply(c, http.StatusForbidden, nil, "access denied by policy\n")
		return
	case p.opt.Mode == Everything:
		reply(c, http.StatusOK, nil, "<html><body>proxy says hello</body></html>\n")
		return
	case p.opt.Mode == Stall && req.Method != http.MethodConnect && !req.URL.IsAbs():
		reply(c, http.StatusBadRequest, nil, "this is a proxy\n")
		return
	case p.opt.Mode == Stall:
		c.SetDeadline(time.Time{})
		io.Copy(io.Discard, br) // until the client gives up
		return
	case p.opt.User != "" && !p.authorized(req.Header.Get("Proxy-Authorization")):
		reply(c, http.StatusProxyAuthRequired, http.Header{"Proxy-Authenticate": {`Basic realm="test"`, "NTLM"}}, "login first\n")
		return
	}
	host := req.Host
	if req.Method != http.MethodConnect {
		host = req.URL.Host
		if req.URL.Port() == "" {
			host = net.JoinHostPort(req.URL.Hostname(), "80")
		}
	}
	name, port, err := net.SplitHostPort(host)
	if err != nil {
		reply(c, http.StatusBadRequest, nil, "bad host\n")
		return
	}
	to, ok := p.opt.Hosts[strings.ToLower(name)]
	if !ok {
		reply(c, http.StatusBadGateway, nil, "cannot resolve "+name+"\n")
		return
	}
	dial := p.opt.Dial
	if dial == nil {
		dial = func(network, addr string) (net.Conn, error) { return net.DialTimeout(network, addr, 2*time.Second) }
	}
	up, err := dial("tcp", net.JoinHostPort(to, port))
	if err != nil {
		reply(c, http.StatusBadGateway, nil, "cannot connect\n")
		return
	}
	defer up.Close()
	c.SetDeadline(time.Time{})
	if req.Method == http.MethodConnect {
		io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
		go func() { io.Copy(up, br); up.Close() }()
		io.Copy(c, up)
		return
	}
	req.Header.Del("Proxy-Authorization")
	req.RequestURI = ""
	if err := req.Write(up); err != nil {
		return
	}
	io.Copy(c, up)
}

func (p *Proxy) authorized(h string) bool {
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(p.opt.User+":"+p.opt.Password))
	return h == want
}

func reply(c net.Conn, code int, h http.Header, body string) {
	resp := &http.Response{StatusCode: code, ProtoMajor: 1, ProtoMinor: 1, Header: h, Close: true,
		Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body))}
	if resp.Header == nil {
		resp.Header = http.Header{}
	}
	resp.Header.Set("Content-Type", "text/plain")
	resp.Write(c)
}
