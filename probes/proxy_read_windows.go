package probes

import (
	"context"

	"golang.org/x/sys/windows/registry"
)

// internetSettingsKey holds the per-user proxy settings of WinINet (Edge,
// Chrome, most programs).
const internetSettingsKey = `Software\Microsoft\Windows\CurrentVersion\Internet Settings`

// ReadOSProxy reads the current user's Internet Settings from the
// registry (no privilege needed). Missing values give the zero value.
func ReadOSProxy(ctx context.Context) ProxySettings {
	k, err := registry.OpenKey(registry.CURRENT_USER, internetSettingsKey, registry.QUERY_VALUE)
	if err != nil {
		return ProxySettings{}
	}
	defer k.Close()
	var w WindowsInternetSettings
	w.ProxyEnable, _, _ = k.GetIntegerValue("ProxyEnable")
	w.ProxyServer, _, _ = k.GetStringValue("ProxyServer")
	w.ProxyOverride, _, _ = k.GetStringValue("ProxyOverride")
	w.AutoConfigURL, _, _ = k.GetStringValue("AutoConfigURL")
	return w.Settings()
}
