//go:build !darwin && !windows

package probes

import "context"

// ReadOSProxy reads the desktop's proxy settings where GNOME's gsettings
// exists (GNOME, and the desktops sharing its settings: the ones Chrome
// and Firefox follow on Linux). Without gsettings, or when it fails, the
// zero value: the environment variables are then all there is.
func ReadOSProxy(ctx context.Context) ProxySettings {
	out, err := runBounded(ctx, "gsettings", "list-recursively", "org.gnome.system.proxy")
	if err != nil {
		return ProxySettings{}
	}
	return ParseGSettingsProxy(out)
}
