// Package checkfile is the model of netprobe's check files: the checks an
// office wants run the same way every hour, written down with what each
// must find (`netprobe check -f office.yaml`), and the modules `netprobe
// serve` answers Prometheus with.
//
// A file is read into these types by a strict decoder (decode.go) that
// walks yaml.v3 nodes, so every error carries file:line:col, and collects
// every error before it gives up. The same types generate
// docs/netprobe.schema.json (schema_test.go), so the schema editors
// complete with and the decoder cannot drift apart. Compile (compile.go)
// turns a file into diagnose.Options; the expectations are judged by a
// pure function (expect.go) that rewrites the run's checks before the
// layered verdict.
package checkfile

// File is one check file.
type File struct {
	Timeout   Duration          `yaml:"timeout,omitempty" jsonschema_description:"The whole run's time budget, with a unit (30s). Default 10s."`
	Layers    *[]LowerLayer     `yaml:"layers,omitempty" jsonschema_description:"Lower layers diagnosed besides the checks, so a failing check still says which layer is at fault. Default: link, address, gateway (and internet when upstreams are set). [] for none."`
	Upstreams []IP              `yaml:"upstreams,omitempty" jsonschema_description:"Addresses pinged for the internet layer. Setting them adds the internet layer."`
	Resolvers []Server          `yaml:"resolvers,omitempty" jsonschema_description:"DNS servers (IP or IP:PORT) to use instead of this computer's: DNS checks without a resolver ask them, and targets' names are resolved through them."`
	CAFile    string            `yaml:"ca_file,omitempty" jsonschema_description:"PEM file of extra CA certificates trusted for https targets (relative to this file)."`
	Ping      *PingSettings     `yaml:"ping,omitempty" jsonschema_description:"Echo requests of the gateway, internet and ping checks."`
	Budgets   *Budgets          `yaml:"budgets,omitempty" jsonschema_description:"Per-layer loss and latency budgets: exceeding one is a warning."`
	DNS       []DNSCheck        `yaml:"dns,omitempty" jsonschema_description:"Names that must (or must not) resolve, to given addresses."`
	Targets   []TargetCheck     `yaml:"targets,omitempty" jsonschema_description:"Services: ports that must be open (or filtered), certificates, HTTP answers, hosts that must answer ping."`
	Printers  []PrinterCheck    `yaml:"printers,omitempty" jsonschema_description:"Printers read over SNMP, with supply thresholds."`
	Modules   map[string]Module `yaml:"modules,omitempty" jsonschema_description:"Modules of netprobe serve: /probe?module=NAME&target=... runs one."`

	At Pos `yaml:"-" json:"-"`
	// name is what errors call the file; dir is where ca_file is read.
	name, dir string
}

// PingSettings are the echo requests of a reachability check.
type PingSettings struct {
	Count    int      `yaml:"count,omitempty" jsonschema:"minimum=1,maximum=1000" jsonschema_description:"Echo requests per host (default 10; serve's built-in module sends 1)."`
	Interval Duration `yaml:"interval,omitempty" jsonschema_description:"Time between echo requests (default 20ms)."`

	At Pos `yaml:"-" json:"-"`
}

// Budgets are per-layer limits. Going over one makes the check a warning
// (the run is degraded, exit 3; `--fail-on warn` fails CI on it).
type Budgets struct {
	Gateway  *PathBudget `yaml:"gateway,omitempty" jsonschema_description:"The default gateway's ping."`
	Internet *PathBudget `yaml:"internet,omitempty" jsonschema_description:"The upstreams' ping."`
	DNS      *RTTBudget  `yaml:"dns,omitempty" jsonschema_description:"Every DNS check's answer time."`
	Service  *RTTBudget  `yaml:"service,omitempty" jsonschema_description:"Every target's connect, TLS and HTTP times."`

	At Pos `yaml:"-" json:"-"`
}

// PathBudget limits loss and round-trip time of a ping layer.
type PathBudget struct {
	LossWarn *Percent `yaml:"loss_warn,omitempty" jsonschema_description:"Packet loss (percent, 0-100) from which the layer warns."`
	RTTWarn  Duration `yaml:"rtt_warn,omitempty" jsonschema_description:"Average round-trip time from which the layer warns."`

	At Pos `yaml:"-" json:"-"`
}

// RTTBudget limits a layer's answer times.
type RTTBudget struct {
	RTTWarn Duration `yaml:"rtt_warn" jsonschema_description:"Answer time from which a check of the layer warns."`

	At Pos `yaml:"-" json:"-"`
}

// DNSCheck asks for one name and judges the answer.
type DNSCheck struct {
	Name     CheckName  `yaml:"name" jsonschema_description:"The check's name: unique in the file, shown in reports and JUnit."`
	Resolve  HostName   `yaml:"resolve" jsonschema_description:"The name to look up (A and AAAA)."`
	Resolver *Server    `yaml:"resolver,omitempty" jsonschema_description:"Ask this DNS server (IP or IP:PORT). Default: the file's resolvers, else every resolver of this computer."`
	Timeout  Duration   `yaml:"timeout,omitempty" jsonschema_description:"Time limit of one question (default 2.5s)."`
	Expect   *DNSExpect `yaml:"expect,omitempty" jsonschema_description:"What the answer must be. Default: the name resolves."`

	At Pos `yaml:"-" json:"-"`
}

// DNSExpect is what a DNS answer must be.
type DNSExpect struct {
	Resolves   *bool    `yaml:"resolves,omitempty" jsonschema_description:"true: the name must resolve to an address; false: it must not (NXDOMAIN, no data or REFUSED; a timeout is not proof)."`
	AnyOf      []IP     `yaml:"any_of,omitempty" jsonschema_description:"At least one of these addresses must be in the answer."`
	AllOf      []IP     `yaml:"all_of,omitempty" jsonschema_description:"Every one of these addresses must be in the answer."`
	Rcode      Rcode    `yaml:"rcode,omitempty" jsonschema_description:"The response code the resolver must give."`
	MaxLatency Duration `yaml:"max_latency,omitempty" jsonschema_description:"The answer must come within this time."`

	At Pos `yaml:"-" json:"-"`
}

// TargetCheck probes one service, or pings one host.
type TargetCheck struct {
	Name    CheckName     `yaml:"name" jsonschema_description:"The check's name: unique in the file, shown in reports and JUnit."`
	Target  TargetAddr    `yaml:"target" jsonschema_description:"tcp://HOST:PORT, HOST:PORT, udp://HOST:PORT, http(s)://HOST[:PORT]/PATH, or a bare HOST to ping."`
	Timeout Duration      `yaml:"timeout,omitempty" jsonschema_description:"Time limit of this target (default 6s)."`
	Expect  *TargetExpect `yaml:"expect,omitempty" jsonschema_description:"What the target must show. Default: port open (ping: reachable), certificate valid, HTTP status below 400."`

	At Pos `yaml:"-" json:"-"`
}

// TargetExpect is what a target must show.
type TargetExpect struct {
	Port       PortStates  `yaml:"port,omitempty" jsonschema_description:"Accepted port states: open, closed, filtered, unreachable, open|filtered (UDP without an answer). One or a list."`
	Reachable  *bool       `yaml:"reachable,omitempty" jsonschema_description:"Ping targets: whether the host must answer (false: it must not)."`
	MaxLatency Duration    `yaml:"max_latency,omitempty" jsonschema_description:"Each phase (connect, TLS handshake, time to the HTTP answer, ping round trip) must take at most this long."`
	MaxLoss    *Percent    `yaml:"max_loss,omitempty" jsonschema_description:"Ping targets: the most packet loss (percent) accepted."`
	TLS        *TLSExpect  `yaml:"tls,omitempty" jsonschema_description:"https targets: the certificate."`
	HTTP       *HTTPExpect `yaml:"http,omitempty" jsonschema_description:"http and https targets: the answer."`

	At Pos `yaml:"-" json:"-"`
}

// TLSExpect is what an https target's certificate must be.
type TLSExpect struct {
	MinDaysLeft *int `yaml:"min_days_left,omitempty" jsonschema:"minimum=0" jsonschema_description:"The certificate must be trusted and valid for at least this many more days."`

	At Pos `yaml:"-" json:"-"`
}

// HTTPExpect is what an HTTP answer must be.
type HTTPExpect struct {
	Status       StatusList `yaml:"status,omitempty" jsonschema_description:"Accepted status codes: one or a list (default: any below 400)."`
	BodyContains string     `yaml:"body_contains,omitempty" jsonschema_description:"Text the answer's body (its first MiB) must contain."`

	At Pos `yaml:"-" json:"-"`
}

// PrinterCheck reads one printer over SNMP and tries its print ports.
type PrinterCheck struct {
	Name    CheckName      `yaml:"name" jsonschema_description:"The check's name: unique in the file, shown in reports and JUnit."`
	Host    HostName       `yaml:"host" jsonschema_description:"The printer's address or host name."`
	SNMP    *SNMP          `yaml:"snmp,omitempty" jsonschema_description:"How to ask it (default SNMP v2c, community public)."`
	Timeout Duration       `yaml:"timeout,omitempty" jsonschema_description:"Time limit of this printer (default 3s)."`
	Expect  *PrinterExpect `yaml:"expect,omitempty" jsonschema_description:"Supply thresholds. The printer's own problems (jam, no paper, door open) always count."`

	At Pos `yaml:"-" json:"-"`
}

// PrinterExpect is what a printer must have.
type PrinterExpect struct {
	MinSupplyPercent *Percent `yaml:"min_supply_percent,omitempty" jsonschema_description:"Every toner or ink must be at least at this level (percent); below it the check fails."`

	At Pos `yaml:"-" json:"-"`
}

// SNMP says how to ask a printer. Secrets are named by environment
// variable only: a community or pass phrase written into a file ends up in
// backups, repositories and tickets.
type SNMP struct {
	Version      SNMPVersion `yaml:"version,omitempty" jsonschema_description:"1, 2c (default) or 3."`
	Port         int         `yaml:"port,omitempty" jsonschema:"minimum=1,maximum=65535" jsonschema_description:"UDP port (default 161)."`
	CommunityEnv EnvName     `yaml:"community_env,omitempty" jsonschema_description:"Environment variable holding the v1/v2c community (default: community public)."`
	User         string      `yaml:"user,omitempty" jsonschema_description:"SNMPv3 user name."`
	AuthProto    string      `yaml:"auth_proto,omitempty" jsonschema:"enum=MD5,enum=SHA,enum=SHA256,enum=SHA512" jsonschema_description:"SNMPv3 authentication protocol."`
	AuthPassEnv  EnvName     `yaml:"auth_pass_env,omitempty" jsonschema_description:"Environment variable holding the SNMPv3 authentication pass phrase."`
	PrivProto    string      `yaml:"priv_proto,omitempty" jsonschema:"enum=DES,enum=AES,enum=AES256" jsonschema_description:"SNMPv3 privacy protocol."`
	PrivPassEnv  EnvName     `yaml:"priv_pass_env,omitempty" jsonschema_description:"Environment variable holding the SNMPv3 privacy pass phrase."`

	At Pos `yaml:"-" json:"-"`
}

// refusedKeys are keys people write by habit that would put a secret in
// the file; each is refused with the reason and the fix.
func (SNMP) refusedKeys() map[string]string {
	const why = "a secret written in a file ends up in backups, repositories and tickets"
	return map[string]string{
		"community": "an inline SNMP community is refused: " + why + "; put it in an environment variable and name that with community_env",
		"auth_pass": "an inline SNMPv3 pass phrase is refused: " + why + "; put it in an environment variable and name that with auth_pass_env",
		"priv_pass": "an inline SNMPv3 pass phrase is refused: " + why + "; put it in an environment variable and name that with priv_pass_env",
	}
}

// Module is what `netprobe serve` runs for /probe?module=NAME&target=T.
// With a target, dns or printer template, T is probed that way; with
// checks, the named checks of this file run; layers adds lower layers.
type Module struct {
	Timeout   Duration         `yaml:"timeout,omitempty" jsonschema_description:"Upper bound of one probe; Prometheus' scrape timeout bounds it too."`
	Layers    []LowerLayer     `yaml:"layers,omitempty" jsonschema_description:"Lower layers to diagnose with every probe (default none)."`
	Upstreams []IP             `yaml:"upstreams,omitempty" jsonschema_description:"Addresses pinged for the internet layer (needed when layers has internet)."`
	Checks    []CheckName      `yaml:"checks,omitempty" jsonschema_description:"Names of this file's checks to run with every probe."`
	Target    *TargetTemplate  `yaml:"target,omitempty" jsonschema_description:"Probe ?target= by its form (tcp://, udp://, http(s)://, a bare host is pinged) with these expectations."`
	DNS       *DNSTemplate     `yaml:"dns,omitempty" jsonschema_description:"?target= is the DNS server to ask (when resolve is set) or the name to resolve (when resolver is set)."`
	Printer   *PrinterTemplate `yaml:"printer,omitempty" jsonschema_description:"?target= is a printer to read over SNMP."`
	Ping      *PingSettings    `yaml:"ping,omitempty" jsonschema_description:"Echo requests of ping targets and layers (default 1 request for ping targets)."`

	At Pos `yaml:"-" json:"-"`
}

// TargetTemplate is a TargetCheck without its name and target.
type TargetTemplate struct {
	Expect *TargetExpect `yaml:"expect,omitempty" jsonschema_description:"What the target must show."`

	At Pos `yaml:"-" json:"-"`
}

// DNSTemplate is a DNSCheck whose server or name comes from ?target=.
type DNSTemplate struct {
	Resolve  HostName   `yaml:"resolve,omitempty" jsonschema_description:"The name to look up; ?target= is then the DNS server."`
	Resolver *Server    `yaml:"resolver,omitempty" jsonschema_description:"The DNS server to ask; ?target= is then the name."`
	Expect   *DNSExpect `yaml:"expect,omitempty" jsonschema_description:"What the answer must be."`

	At Pos `yaml:"-" json:"-"`
}

// PrinterTemplate is a PrinterCheck whose host comes from ?target=.
type PrinterTemplate struct {
	SNMP   *SNMP          `yaml:"snmp,omitempty" jsonschema_description:"How to ask the printer."`
	Expect *PrinterExpect `yaml:"expect,omitempty" jsonschema_description:"Supply thresholds."`

	At Pos `yaml:"-" json:"-"`
}
