package probes

import "context"

// ReadOSProxy reads macOS' proxy settings (`scutil --proxy`, no privilege
// needed). No settings, or a tool that fails, give the zero value.
func ReadOSProxy(ctx context.Context) ProxySettings {
	out, err := runBounded(ctx, "scutil", "--proxy")
	if err != nil {
		return ProxySettings{}
	}
	return ParseScutilProxy(out)
}
