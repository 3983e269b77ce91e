package diagnose

import (
	"fmt"

	"github.com/netprobe/netprobe/result"
)

// The words for a captive portal (internet.captive_portal): the network
// wants a sign-in before it lets web traffic through.

func explainCaptivePortal(c result.Check) (string, []string) {
	host, login, addr := ev(c, "location_host"), ev(c, "location"), ev(c, "address")
	s := "This network is waiting for you to sign in (captive portal): open a browser and log in at " + host + "."
	open := "Open a browser and go to " + login + ";"
	if host == "" {
		s = "This network is waiting for you to sign in (captive portal): open a browser and log in on the page it shows"
		if addr != "" {
			s += fmt.Sprintf(" (served from %s)", addr)
		}
		s += "."
		open = "Open a browser and go to any web page that starts with http:// (not https://): the login page appears instead;"
	}
	return s, []string{
		open + " log in or accept the terms of this Wi-Fi or guest network (the hotel, cafe or office gives the access code).",
		"Then run netprobe again: web sites and apps fail until you have signed in.",
		"If no login page appears, reconnect to the network (Wi-Fi off and on) and try again, or ask the network's staff.",
	}
}
