package probes

import (
	"bufio"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// The operating systems' proxy settings, as a browser on this computer
// reads them. Each parser is a pure function of what the OS tool prints
// (or, on Windows, of the registry values), so it is tested on every OS
// against the samples in testdata/proxy/; the readers that run the tools
// are thin and per OS (proxy_read_*.go).

// ParseScutilProxy reads the output of macOS' `scutil --proxy`: the
// top-level dictionary (the per-interface __SCOPED__ copies are ignored).
// HTTPEnable/HTTPProxy/HTTPPort, HTTPSEnable/HTTPSProxy/HTTPSPort,
// SOCKSEnable/SOCKSProxy/SOCKSPort, ProxyAutoConfigEnable with
// ProxyAutoConfigURLString, ExceptionsList and ExcludeSimpleHostnames.
func ParseScutilProxy(out string) ProxySettings {
	kv := map[string]string{}
	var exceptions []string
	depth, inExceptions := 0, false
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "}":
			depth--
			inExceptions = false
			continue
		case strings.HasSuffix(line, "{"):
			depth++
			if depth == 2 && strings.HasPrefix(line, "ExceptionsList ") {
				inExceptions = true
			}
			continue
		}
		k, v, ok := strings.Cut(line, " : ")
		if !ok {
			continue
		}
		switch {
		case depth == 1:
			kv[strings.TrimSpace(k)] = strings.TrimSpace(v)
		case depth == 2 && inExceptions:
			exceptions = append(exceptions, strings.TrimSpace(v))
		}
	}
	var s ProxySettings
	if kv["HTTPEnable"] == "1" && kv["HTTPProxy"] != "" {
		s.HTTP = hostPortURL("http", kv["HTTPProxy"], kv["HTTPPort"], "80")
	}
	if kv["HTTPSEnable"] == "1" && kv["HTTPSProxy"] != "" {
		s.HTTPS = hostPortURL("http", kv["HTTPSProxy"], kv["HTTPSPort"], "443")
	}
	if kv["SOCKSEnable"] == "1" && kv["SOCKSProxy"] != "" {
		socks := hostPortURL("socks5", kv["SOCKSProxy"], kv["SOCKSPort"], "1080")
		s.HTTP, s.HTTPS = firstNonEmpty(s.HTTP, socks), firstNonEmpty(s.HTTPS, socks)
	}
	if kv["ProxyAutoConfigEnable"] == "1" {
		s.PAC = firstNonEmpty(kv["ProxyAutoConfigURLString"], "(auto-config enabled, no URL)")
	}
	if kv["ProxyAutoDiscoveryEnable"] == "1" && s.PAC == "" {
		s.PAC = "(automatic discovery: WPAD)"
	}
	s.NoProxy = noProxyList(exceptions)
	s.BypassSimple = kv["ExcludeSimpleHostnames"] == "1"
	if s.IsZero() {
		return ProxySettings{}
	}
	s.Source = "macos"
	return s
}

// ParseGSettingsProxy reads `gsettings list-recursively
// org.gnome.system.proxy` (GNOME and the desktops that share its
// settings): mode none, manual (http, https, socks hosts and ports,
// ignore-hosts, the HTTP proxy's login) or auto (autoconfig-url).
func ParseGSettingsProxy(out string) ProxySettings {
	kv := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.SplitN(strings.TrimSpace(sc.Text()), " ", 3)
		if len(f) != 3 || !strings.HasPrefix(f[0], "org.gnome.system.proxy") {
			continue
		}
		schema := strings.TrimPrefix(strings.TrimPrefix(f[0], "org.gnome.system.proxy"), ".")
		key := f[1]
		if schema != "" {
			key = schema + "." + key
		}
		kv[key] = f[2]
	}
	var s ProxySettings
	switch gvString(kv["mode"]) {
	case "manual":
		http := gnomeProxy("http", kv["http.host"], kv["http.port"])
		https := gnomeProxy("http", kv["https.host"], kv["https.port"])
		if https == "" && kv["use-same-proxy"] == "true" {
			https = http
		}
		if kv["http.use-authentication"] == "true" && gvString(kv["http.authentication-user"]) != "" {
			user := url.UserPassword(gvString(kv["http.authentication-user"]), gvString(kv["http.authentication-password"]))
			http = withUser(http, user)
			if gvString(kv["https.host"]) == "" || gvString(kv["https.host"]) == gvString(kv["http.host"]) {
				https = withUser(https, user)
			}
		}
		if socks := gnomeProxy("socks5", kv["socks.host"], kv["socks.port"]); socks != "" {
			http, https = firstNonEmpty(http, socks), firstNonEmpty(https, socks)
		}
		s.HTTP, s.HTTPS = http, https
		s.NoProxy = noProxyList(gvStrings(kv["ignore-hosts"]))
	case "auto":
		s.PAC = firstNonEmpty(gvString(kv["autoconfig-url"]), "(automatic discovery: WPAD)")
	}
	if !s.IsZero() {
		s.Source = "gnome"
	}
	return s
}

func gnomeProxy(scheme, host, port string) string {
	h := gvString(host)
	if h == "" {
		return ""
	}
	p := strings.TrimSpace(port)
	if p == "" || p == "0" {
		p = "8080"
	}
	return hostPortURL(scheme, h, p, "8080")
}

func withUser(raw string, user *url.Userinfo) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.User = user
	return u.String()
}

// gvString reads a GVariant text string: 'text' or "text".
func gvString(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && (v[0] == '\'' && v[len(v)-1] == '\'' || v[0] == '"' && v[len(v)-1] == '"') {
		v = v[1 : len(v)-1]
	}
	return strings.ReplaceAll(strings.ReplaceAll(v, `\'`, `'`), `\\`, `\`)
}

// gvStrings reads a GVariant text string array: ['a', 'b'] (or @as []).
func gvStrings(v string) []string {
	v = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), "@as"))
	v = strings.TrimSuffix(strings.TrimPrefix(v, "["), "]")
	var out []string
	for _, e := range strings.Split(v, ",") {
		if s := gvString(e); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// WindowsInternetSettings are the proxy values of
// HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings, what
// Edge, Chrome and WinINet use.
type WindowsInternetSettings struct {
	ProxyEnable   uint64
	ProxyServer   string // "host:port", or "http=h:p;https=h:p;socks=h:p"
	ProxyOverride string // "<local>;*.corp.example;10.*"
	AutoConfigURL string
}

// Settings applies Windows' rules: ProxyServer counts only with
// ProxyEnable set; a bare host:port serves every scheme; <local> in
// ProxyOverride bypasses names without a dot; socks= is SOCKS4, which
// netprobe names but does not speak.
func (w WindowsInternetSettings) Settings() ProxySettings {
	var s ProxySettings
	if w.ProxyEnable != 0 && strings.TrimSpace(w.ProxyServer) != "" {
		per := map[string]string{}
		for _, part := range strings.Split(w.ProxyServer, ";") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			if k, v, ok := strings.Cut(part, "="); ok {
				per[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
			} else {
				per[""] = part
			}
		}
		bare := per[""]
		s.HTTP = firstNonEmpty(windowsProxy("http", per["http"]), windowsProxy("http", bare))
		s.HTTPS = firstNonEmpty(windowsProxy("http", per["https"]), windowsProxy("http", bare))
		if socks := windowsProxy("socks4", per["socks"]); socks != "" {
			s.HTTP, s.HTTPS = firstNonEmpty(s.HTTP, socks), firstNonEmpty(s.HTTPS, socks)
		}
		var exceptions []string
		for _, e := range strings.Split(w.ProxyOverride, ";") {
			e = strings.TrimSpace(e)
			if strings.EqualFold(e, "<local>") {
				s.BypassSimple = true
				continue
			}
			exceptions = append(exceptions, e)
		}
		s.NoProxy = noProxyList(exceptions)
	}
	if u := strings.TrimSpace(w.AutoConfigURL); u != "" {
		s.PAC = u
	}
	if !s.IsZero() {
		s.Source = "windows"
	}
	return s
}

func windowsProxy(scheme, v string) string {
	if v == "" {
		return ""
	}
	if strings.Contains(v, "://") {
		return v
	}
	return scheme + "://" + v
}

// ParseRegQuery reads the output of `reg query "HKCU\Software\Microsoft\
// Windows\CurrentVersion\Internet Settings"`: the values of the first key
// (sub-keys are not followed). It serves the samples and anyone who pastes
// reg's output; netprobe itself reads the registry directly on Windows.
func ParseRegQuery(out string) WindowsInternetSettings {
	var w WindowsInternetSettings
	seenKey := false
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.HasPrefix(line, "HKEY_") {
			if seenKey {
				break
			}
			seenKey = true
			continue
		}
		if !strings.HasPrefix(line, "    ") {
			continue
		}
		var f []string
		for _, p := range strings.Split(strings.TrimSpace(line), "    ") {
			if p = strings.TrimSpace(p); p != "" {
				f = append(f, p)
			}
		}
		if len(f) < 2 {
			continue
		}
		name, val := f[0], ""
		if len(f) >= 3 {
			val = strings.Join(f[2:], "    ")
		}
		switch name {
		case "ProxyEnable":
			n, _ := strconv.ParseUint(strings.TrimPrefix(strings.ToLower(val), "0x"), 16, 64)
			w.ProxyEnable = n
		case "ProxyServer":
			w.ProxyServer = val
		case "ProxyOverride":
			w.ProxyOverride = val
		case "AutoConfigURL":
			w.AutoConfigURL = val
		}
	}
	return w
}

func hostPortURL(scheme, host, port, def string) string {
	host = strings.TrimSpace(host)
	if strings.Contains(host, "://") {
		return host
	}
	if p := strings.TrimSpace(port); p != "" && p != "0" {
		def = p
	}
	if _, _, err := net.SplitHostPort(host); err == nil {
		return scheme + "://" + host
	}
	return scheme + "://" + net.JoinHostPort(strings.Trim(host, "[]"), def)
}

// noProxyList turns the OS's exception patterns into NO_PROXY syntax:
// "*.corp.example" and "corp.example" pass as they are; IPv4 wildcards
// ("10.*", "192.168.1.*") and short prefixes ("169.254/16") become CIDR;
// patterns NO_PROXY cannot say ("*intranet*") are left out.
func noProxyList(patterns []string) string {
	var out []string
	for _, p := range patterns {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if c, ok := ipv4Pattern(p); ok {
			out = append(out, c)
			continue
		}
		if strings.Contains(strings.TrimPrefix(p, "*."), "*") {
			continue
		}
		out = append(out, p)
	}
	return strings.Join(out, ",")
}

// ipv4Pattern converts "10.*", "192.168.1.*" and "169.254/16" to CIDR.
func ipv4Pattern(p string) (string, bool) {
	addr, bits, hasBits := strings.Cut(p, "/")
	parts := strings.Split(addr, ".")
	if len(parts) > 4 {
		return "", false
	}
	var octets []string
	wild := false
	for _, o := range parts {
		if o == "*" {
			wild = true
			break
		}
		if n, err := strconv.Atoi(o); err != nil || n < 0 || n > 255 {
			return "", false
		}
		octets = append(octets, o)
	}
	if !wild && !hasBits || len(octets) == 0 {
		return "", false
	}
	prefix := len(octets) * 8
	if hasBits {
		n, err := strconv.Atoi(bits)
		if err != nil || n < 0 || n > 32 {
			return "", false
		}
		prefix = n
	}
	for len(octets) < 4 {
		octets = append(octets, "0")
	}
	return strings.Join(octets, ".") + "/" + strconv.Itoa(prefix), true
}
