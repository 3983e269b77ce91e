package redact

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
)

// Deep copies of evidence values with every string masked: a redacted
// report shares no memory with the original, and no string escapes
// masking whatever type a probe stored it in.

// evidence deep-copies an evidence map with every string masked.
func (rd *redactor) evidence(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out[rd.str(k)] = rd.keyed(k, m[k])
	}
	return out
}

// keyed masks one evidence value, knowing its key.
func (rd *redactor) keyed(k string, v any) any {
	if isSecretKey(k) {
		return secretPlaceholder
	}
	if _, ok := identityKeys[k]; ok {
		if s, isStr := v.(string); isStr && strings.TrimSpace(s) != "" {
			if p, ok := rd.literals[strings.ToLower(strings.TrimSpace(s))]; ok {
				return p
			}
		}
	}
	return rd.value(v)
}

// value deep-copies any evidence value, masking every string in it.
func (rd *redactor) value(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return rd.str(x)
	case []string:
		return rd.strs(x)
	case map[string]any:
		return rd.evidence(x)
	case map[string]string:
		out := make(map[string]string, len(x))
		for _, k := range slices.Sorted(maps.Keys(x)) {
			if isSecretKey(k) {
				out[rd.str(k)] = secretPlaceholder
				continue
			}
			out[rd.str(k)] = rd.str(x[k])
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = rd.value(e)
		}
		return out
	case bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return x
	}
	// Printer types and whatever a future probe stores: copy through
	// reflection so no string escapes and no memory is shared.
	return rd.copyValue(reflect.ValueOf(v)).Interface()
}

// copyValue returns a deep copy of v with every string masked. Unexported
// struct fields are copied as they are (they cannot be set, and no probe
// type has any).
func (rd *redactor) copyValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.String:
		out := reflect.New(v.Type()).Elem()
		out.SetString(rd.str(v.String()))
		return out
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(rd.copyValue(v.Index(i)))
		}
		return out
	case reflect.Array:
		out := reflect.New(v.Type()).Elem()
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(rd.copyValue(v.Index(i)))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keyString(keys[i]) < keyString(keys[j]) })
		for _, k := range keys {
			out.SetMapIndex(rd.copyValue(k), rd.copyValue(v.MapIndex(k)))
		}
		return out
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type().Elem())
		out.Elem().Set(rd.copyValue(v.Elem()))
		return out
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(rd.copyValue(v.Elem()))
		return out
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		out.Set(v)
		for i := 0; i < v.NumField(); i++ {
			if !out.Field(i).CanSet() {
				continue
			}
			// A field that names a secret (Community, Password) is
			// masked whole, like an evidence key that does.
			if f := v.Type().Field(i); f.Type.Kind() == reflect.String && v.Field(i).String() != "" && (isSecretKey(f.Name) || isSecretKey(fieldKey(f))) {
				out.Field(i).SetString(secretPlaceholder)
				continue
			}
			out.Field(i).Set(rd.copyValue(v.Field(i)))
		}
		return out
	}
	return v
}

// keyString orders map keys of any type for a deterministic walk.
func keyString(v reflect.Value) string {
	if v.Kind() == reflect.String {
		return v.String()
	}
	return fmt.Sprint(v.Interface())
}
