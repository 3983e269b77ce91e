package reports

// Internals the external tests hold renderers to.
var (
	// Clean is what every human renderer does to a string it shows.
	Clean = clean
	// MaxField is the renderers' backstop for one string, in bytes.
	MaxField = maxField
)
