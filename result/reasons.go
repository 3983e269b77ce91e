package result

import (
	"fmt"
	"regexp"
	"sort"
	"sync"
)

// Reason is a stable machine code that says why a check, a layer or a
// verdict is not ok: "<area>.<what>" in lower snake case, e.g.
// "dns.timeout". Codes are part of the JSON interface (the "reason"
// fields): within a schema version a code is never renamed, removed or
// given another meaning. Every decision netprobe takes — the verdict, the
// consequence rules, the advice — switches on codes and typed evidence,
// never on a check's sentence, so rewording a sentence cannot change a
// diagnosis.
//
// Every code is declared as a constant in one of the reasons*.go files
// and registered with its meaning; docs/schema.md lists them all (a test
// keeps the two in step).
type Reason string

// ReasonInfo documents one code: the line docs/schema.md shows for it.
type ReasonInfo struct {
	Code    Reason
	Meaning string
}

var (
	registryMu sync.Mutex
	registry   = map[Reason]string{}
	reasonRE   = regexp.MustCompile(`^[a-z][a-z0-9]*\.[a-z][a-z0-9_]*$`)
)

// register adds codes to the registry. Each area declares its codes in its
// own file, so work on different areas does not collide in one table. A
// malformed or repeated code is a programming error and panics at start,
// where every test catches it.
func register(infos ...ReasonInfo) bool {
	registryMu.Lock()
	defer registryMu.Unlock()
	for _, in := range infos {
		if !reasonRE.MatchString(string(in.Code)) {
			panic(fmt.Sprintf("result: reason code %q is not <area>.<snake_case>", in.Code))
		}
		if _, dup := registry[in.Code]; dup {
			panic(fmt.Sprintf("result: reason code %q registered twice", in.Code))
		}
		if in.Meaning == "" {
			panic(fmt.Sprintf("result: reason code %q has no meaning", in.Code))
		}
		registry[in.Code] = in.Meaning
	}
	return true
}

// Known reports whether r is a registered code.
func (r Reason) Known() bool {
	registryMu.Lock()
	defer registryMu.Unlock()
	_, ok := registry[r]
	return ok
}

// Area is the part before the dot: "dns" for "dns.timeout".
func (r Reason) Area() string {
	for i := 0; i < len(r); i++ {
		if r[i] == '.' {
			return string(r[:i])
		}
	}
	return string(r)
}

// Reasons lists every registered code, sorted.
func Reasons() []ReasonInfo {
	registryMu.Lock()
	defer registryMu.Unlock()
	out := make([]ReasonInfo, 0, len(registry))
	for c, m := range registry {
		out = append(out, ReasonInfo{c, m})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}
