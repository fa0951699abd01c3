package templatecheck

// Lookup follows keys through nested JSON objects, e.g. Lookup(props, "Environment",
// "Variables"). It reports false when a key is missing or a value on the way is not an object.
func Lookup(v any, keys ...string) (any, bool) {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}
