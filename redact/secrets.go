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
	// bearer is an HTTP bearer token.
	bearer = regexp.MustCompile(`(?i)\b(bearer\s+)[A-Za-z0-9._~+/-]+=*`)
	// flagValue is the value of a command-line flag that carries a secret.
	flagValue = regexp.MustCompile(`(?i)--?(?:community|password|passphrase|auth-pass\w*|priv-pass\w*|secret|token)(?:=|\s+)('[^']*'|"[^"]*"|\S+)`)
	// userPass is the password of a URL's user information.
	userPass = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]*://[^/@\s:]*:([^/@\s]+)@`)
)

// maskQuery masks every value of every URL's query and fragment, keeping
// the keys: "?token=abc&page=2" becomes "?token=<secret>&page=<secret>".
// Any value can be a credential (signed URLs put them under names no list
// knows), and the keys are what a reader needs.
func maskQuery(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
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
	if hasFold(s, "bearer") {
		s = bearer.ReplaceAllString(s, "${1}"+secretPlaceholder)
	}
	spans := secretValues(s)
	if spans == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		b.WriteString(s[last:sp[0]])
		b.WriteString(secretPlaceholder)
		last = sp[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// maxKey is the longest key secretValues looks at.
const maxKey = 64

// secretValues finds the values of key=value and key: value pairs whose
// key names a secret ("password=hunter2", "token: abc", "community='a b'")
// and returns their spans. A value is quoted, or runs to white space or a
// separator (& ; , #), quotes or angle brackets. A plain scan rather than a
// regular expression: it runs on every string of a report, some of them
// long, and a case-insensitive alternation of key words is slow there.
func secretValues(s string) [][2]int {
	var spans [][2]int
	for i := 0; i < len(s); i++ {
		if s[i] != '=' && s[i] != ':' {
			continue
		}
		k := i
		for k > 0 && i-k < maxKey && isKeyByte(s[k-1]) {
			k--
		}
		if k == i || (k > 0 && isKeyByte(s[k-1])) || !isSecretKey(s[k:i]) {
			continue
		}
		j := i + 1
		for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
			j++
		}
		end := j
		if j < len(s) && (s[j] == '"' || s[j] == '\'') {
			if q := strings.IndexByte(s[j+1:], s[j]); q >= 0 {
				end = j + 1 + q + 1
			}
		}
		if end == j {
			for end < len(s) && !strings.ContainsRune(" \t&;,#\"'<>`", rune(s[end])) {
				end++
			}
		}
		if end == j || isPlaceholder(s[j:end]) {
			continue
		}
		spans = append(spans, [2]int{j, end})
		i = end - 1
	}
	return spans
}

// isKeyByte is a byte a key is made of.
func isKeyByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// hasFold reports whether s contains sub (lower case ASCII), ignoring case.
func hasFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), sub)
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
		// Look at the string as str will mask it.
		s = normalize(s)
		if strings.Contains(s, "-") {
			for _, m := range flagValue.FindAllStringSubmatch(s, -1) {
				rd.secret(strings.Trim(m[1], `'"`))
			}
		}
		if strings.Contains(s, "://") {
			for _, m := range userPass.FindAllStringSubmatch(s, -1) {
				rd.secret(m[1])
			}
		}
		for _, sp := range secretValues(s) {
			rd.secret(strings.Trim(s[sp[0]:sp[1]], `'"`))
		}
		if hasFold(s, "bearer") {
			for _, m := range bearer.FindAllStringSubmatch(s, -1) {
				rd.secret(strings.TrimPrefix(m[0], m[1]))
			}
		}
	})
}

// secret records one secret value as a literal, in the form rd.str will
// compare it in (sanitised, so "a  b" matches "a\tb" and "a b").
func (rd *redactor) secret(v string) {
	v = normalize(v)
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

// maxFragmentSecret is the longest secret whose fragments are looked for:
// the search costs the square of its length, and real secrets (a
// community, a password, a token) are far shorter. Longer ones are still
// masked wherever they appear whole.
const maxFragmentSecret = 256

// maskFragments masks what truncation leaves of a secret: a prefix of it
// (4 characters or more) cut off by an ellipsis or the end of the string,
// and a suffix of it at the start of a string (the next console line).
// Only secrets collected from this report are looked for.
func (rd *redactor) maskFragments(s string) string {
	for _, sec := range rd.secrets {
		if len(sec) > maxFragmentSecret {
			continue
		}
		lower := strings.ToLower(s)
		if len(lower) != len(s) {
			continue // see replaceLiteralsIn
		}
		for k := len(sec) - 1; k >= minSecret; k-- {
			frag := sec[:k]
			if i := strings.Index(lower, frag+sanitize.Ellipsis); i >= 0 {
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
