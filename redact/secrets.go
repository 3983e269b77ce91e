package redact

import (
	"reflect"
	"regexp"
	"strings"

	"github.com/netprobe/netprobe/internal/sanitize"
	"github.com/netprobe/netprobe/result"
)

// Secrets: values that would let a reader of a public ticket into
// something. They are masked where they stand (a flag, a URL's query, a
// key=value pair, an evidence key that names a secret) and, once seen
// anywhere in the report, in every other string too, so a device that
// echoes its community in a banner, or an error that quotes a token,
// cannot leak it through another field.

// secretPlaceholder replaces every secret.
const secretPlaceholder = "<secret>"

// minSecret is the shortest secret masked wherever it appears; shorter
// ones are only masked where they stand. Issue 8's bar: no fragment of 4
// characters or more of a secret in any output.
const minSecret = 4

// secretWords are the parts of a key (an evidence key, a struct field, a
// URL query or key=value key) that say its value is a secret.
var secretWords = []string{
	"password", "passphrase", "passwd", "secret", "token", "community",
	"apikey", "api_key", "api-key", "credential", "authorization", "private_key",
	"cookie", "session_id", "sessionid",
}

// secretNames are whole keys that name a secret but are too short to look
// for inside longer keys ("key" is in "keyboard", "sig" in "signal").
var secretNames = map[string]bool{"key": true, "sig": true, "signature": true, "pwd": true, "pass": true, "auth": true}

// wellKnownSecrets are default SNMP communities: masked where they stand,
// but not as words in every sentence ("public" would turn "<public-ip-1>
// is a public resolver" into noise), since they protect nothing.
var wellKnownSecrets = map[string]bool{"public": true, "private": true}

// isSecretKey reports whether a key names a secret value.
func isSecretKey(k string) bool {
	k = strings.ToLower(k)
	if secretNames[k] {
		return true
	}
	for _, w := range secretWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

var (
	// urlRE is a URL up to the first character that cannot be part of one
	// (white space, quotes, angle brackets), placeholders allowed inside
	// so an already masked host does not end it early.
	urlRE = regexp.MustCompile("(?i)\\b[a-z][a-z0-9+.-]*://(?:[^\\s\"'`<>]|<[a-z][a-z-]*(?:-\\d+)?>)+")
	// queryPair is one key=value of a URL's query or fragment.
	queryPair = regexp.MustCompile(`([?#&;])([^=&;#?]*)=([^&;#]*)`)
	// secretPair is key=value or key: value outside a URL, where the key
	// names a secret: "password=hunter2", "token: abc", "community='a b'".
	secretPair = regexp.MustCompile("(?i)(?:^|[^a-z0-9_-])([a-z0-9_-]*(?:" + strings.Join(quoteAll(secretWords), "|") +
		")[a-z0-9_-]*|key|sig|signature|pwd|pass|auth)(\\s*[=:]\\s*)(\"[^\"]*\"|'[^']*'|[^\\s&;,#\"'<>`]+)")
	// bearer is an HTTP bearer token.
	bearer = regexp.MustCompile(`(?i)\b(bearer\s+)[A-Za-z0-9._~+/-]+=*`)
	// flagValue is the value of a command-line flag that carries a secret.
	flagValue = regexp.MustCompile(`(?i)--?(?:community|password|passphrase|auth-pass\w*|priv-pass\w*|secret|token)(?:=|\s+)('[^']*'|"[^"]*"|\S+)`)
	// userPass is the password of a URL's user information.
	userPass = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]*://[^/@\s:]*:([^/@\s]+)@`)
)

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = regexp.QuoteMeta(s)
	}
	return out
}

// maskQuery masks every value of every URL's query and fragment, keeping
// the keys: "?token=abc&page=2" becomes "?token=<secret>&page=<secret>".
// Any value can be a credential (signed URLs put them under names no list
// knows), and the keys are what a reader needs.
func maskQuery(s string) string {
	return urlRE.ReplaceAllStringFunc(s, func(u string) string {
		i := strings.IndexAny(u, "?#")
		if i < 0 {
			return u
		}
		return u[:i] + queryPair.ReplaceAllStringFunc(u[i:], func(p string) string {
			m := queryPair.FindStringSubmatch(p)
			if m[3] == "" || isPlaceholder(m[3]) {
				return p
			}
			return m[1] + m[2] + "=" + secretPlaceholder
		})
	})
}

// maskSecretPairs masks bearer tokens and the value of key=value pairs
// whose key names a secret. Bearer tokens go first: "Authorization: Bearer
// x" would otherwise lose only the word "Bearer".
func maskSecretPairs(s string) string {
	s = bearer.ReplaceAllString(s, "${1}"+secretPlaceholder)
	return secretPair.ReplaceAllStringFunc(s, func(p string) string {
		m := secretPair.FindStringSubmatchIndex(p)
		if isPlaceholder(p[m[6]:m[7]]) {
			return p
		}
		return p[:m[6]] + secretPlaceholder + p[m[7]:]
	})
}

// isPlaceholder reports a whole string that is one of this package's
// placeholders.
func isPlaceholder(s string) bool {
	loc := placeholder.FindStringIndex(s)
	return loc != nil && loc[0] == 0 && loc[1] == len(s)
}

// collectSecrets finds the secrets anywhere in the report before anything
// is masked: values under secret evidence keys (at any depth), the values
// of secret flags in the command, URL passwords and secret key=value
// pairs in any string. Each becomes a literal masked in every string.
func (rd *redactor) collectSecrets(r *result.Report) {
	walkStrings(reflect.ValueOf(r).Elem(), "", func(key, s string) {
		if isSecretKey(key) {
			rd.secret(s)
		}
		for _, m := range flagValue.FindAllStringSubmatch(s, -1) {
			rd.secret(strings.Trim(m[1], `'"`))
		}
		for _, m := range userPass.FindAllStringSubmatch(s, -1) {
			rd.secret(m[1])
		}
		for _, m := range secretPair.FindAllStringSubmatch(s, -1) {
			rd.secret(strings.Trim(m[3], `'"`))
		}
		for _, m := range bearer.FindAllString(s, -1) {
			rd.secret(bearer.ReplaceAllString(m, ""))
		}
	})
}

// secret records one secret value as a literal, in the form rd.str will
// compare it in (sanitised, so "a  b" matches "a\tb" and "a b").
func (rd *redactor) secret(v string) {
	v = sanitize.String(v, noLimit)
	if len(v) < minSecret || isPlaceholder(v) || wellKnownSecrets[strings.ToLower(v)] {
		return
	}
	rd.literal(v, secretPlaceholder)
	rd.secrets = append(rd.secrets, strings.ToLower(v))
}

// walkStrings calls fn for every string in v, with the name of the map key
// or struct field (JSON name when it has one) it is stored under.
func walkStrings(v reflect.Value, key string, fn func(key, s string)) {
	switch v.Kind() {
	case reflect.String:
		fn(key, v.String())
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			walkStrings(v.Index(i), key, fn)
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			k := keyString(iter.Key())
			fn("", k)
			walkStrings(iter.Value(), k, fn)
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkStrings(v.Elem(), key, fn)
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			if t.Field(i).IsExported() {
				walkStrings(v.Field(i), fieldKey(t.Field(i)), fn)
			}
		}
	}
}

// fieldKey is a struct field's JSON name, or its Go name.
func fieldKey(f reflect.StructField) string {
	if n, _, _ := strings.Cut(f.Tag.Get("json"), ","); n != "" && n != "-" {
		return n
	}
	return f.Name
}

// maskFragments masks what truncation leaves of a secret: a prefix of it
// (4 characters or more) cut off by an ellipsis or the end of the string,
// and a suffix of it at the start of a string (the next console line).
// Only secrets collected from this report are looked for.
func (rd *redactor) maskFragments(s string) string {
	for _, sec := range rd.secrets {
		lower := strings.ToLower(s)
		if len(lower) != len(s) {
			continue // see replaceLiteralsIn
		}
		for k := len(sec) - 1; k >= minSecret; k-- {
			frag := sec[:k]
			if i := strings.Index(lower, frag+"…"); i >= 0 {
				s = s[:i] + secretPlaceholder + s[i+k:]
				break
			}
			if strings.HasSuffix(lower, frag) {
				s = s[:len(s)-k] + secretPlaceholder
				break
			}
		}
		lower = strings.ToLower(s)
		for k := len(sec) - 1; k >= minSecret && len(lower) == len(s); k-- {
			if frag := sec[len(sec)-k:]; strings.HasPrefix(lower, frag) {
				s = secretPlaceholder + s[k:]
				break
			}
		}
	}
	return s
}
