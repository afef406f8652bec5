package apiserver

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"net/netip"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// This file reproduces how wsme turns a request body into Octavia's request
// types ([WS] wsme/rest/json.py fromjson, wsme/types.py validate_value and
// wsattr.__set__): unknown attributes, JSON-to-Python conversions, then each
// attribute's validation in declaration order, with wsme's messages.

// atype is a wsme attribute type.
type atype uint8

const (
	tString    atype = iota // StringType (min/max length, pattern)
	tInt                    // IntegerType (minimum, maximum)
	tBool                   // bool
	tUUID                   // UuidType
	tIP                     // IPAddressType
	tCIDR                   // CidrType
	tURL                    // URLType
	tURLPath                // URLPathType
	tALPN                   // AlpnProtocolType
	tEnum                   // Enum(str, …)
	tIntEnum                // Enum(int, …)
	tFloatEnum              // Enum(float, …)
	tList                   // ArrayType
	tDict                   // DictType(str, elem)
	tObject                 // a complex type
)

// attr is one attribute of a wsme complex type.
type attr struct {
	name      string
	typ       atype
	minLen    int
	maxLen    int
	pattern   *pattern
	min, max  *int64
	enum      []string
	intEnum   []int64
	intOrder  string // the Python set order of intEnum, as wsme prints it
	floatEnum []float64
	elem      *attr
	obj       *schema
	mandatory bool
	// nullable lets a mandatory attribute be null: wsme only requires it to
	// be present, and Octavia answers a null itself for some (the health
	// monitor's). Other nulls of mandatory attributes get wsme's "Mandatory
	// field missing." here, where Octavia would fail with a server error.
	nullable bool
	// alias stores the value under another attribute (tenant_id sets
	// project_id, as Octavia's BaseMeta property does).
	alias string
}

// schema is a wsme complex type: its attributes in declaration order.
type schema struct {
	attrs []*attr
}

func (s *schema) attr(name string) *attr {
	for _, a := range s.attrs {
		if a.name == name {
			return a
		}
	}
	return nil
}

// pattern is a StringType pattern: its Python source (for the message) and
// a matcher with Python's re.search semantics.
type pattern struct {
	src   string
	match func(string) bool
}

// object is a decoded complex value: present attributes only; a nil value is
// an explicit JSON null.
type object struct {
	vals map[string]any
}

// inputError is wsme's InvalidInput.
type inputError struct {
	field, value, reason string
}

func (e *inputError) Error() string {
	return fmt.Sprintf("Invalid input for field/attribute %s. Value: '%s'. %s", e.field, e.value, e.reason)
}

// unknownAttrError is wsme's UnknownAttribute.
type unknownAttrError struct {
	path  []string
	attrs []string
}

func (e *unknownAttrError) Error() string {
	word := "attribute"
	if len(e.attrs) > 1 {
		word = "attributes"
	}
	return fmt.Sprintf("Unknown %s for argument %s: %s", word, strings.Join(e.path, "."), strings.Join(e.attrs, ", "))
}

// convError is a ValueError (or TypeError) raised while converting JSON to
// Python types; wsme reports it against the whole body argument.
type convError struct{ msg string }

func (e *convError) Error() string { return e.msg }

// decodeBody decodes a request body into the root type s. argname is the
// controller's body argument, which wsme names in its messages.
func decodeBody(body []byte, argname string, s *schema) (*object, error) {
	if len(body) == 0 {
		return nil, clientError(400, fmt.Sprintf("Missing argument: %q", argname))
	}
	jv, err := parseJSON(body)
	if err != nil {
		return nil, clientError(400, "Request is not in valid JSON format")
	}
	if jv.kind == jNull {
		return nil, clientError(400, fmt.Sprintf("Missing argument: %q", argname))
	}
	o, err := decodeObject(s, jv)
	if err != nil {
		var ua *unknownAttrError
		var ce *convError
		var ie *inputError
		switch {
		case errors.As(err, &ua):
			ua.path = append([]string{argname}, ua.path...)
			return nil, clientError(400, ua.Error())
		case errors.As(err, &ce):
			return nil, clientError(400, (&inputError{argname, jv.pyStr(), ce.msg}).Error())
		case errors.As(err, &ie):
			return nil, clientError(400, ie.Error())
		}
		return nil, err
	}
	return o, nil
}

// rootObject returns the single mandatory member of a root body ({"listener":
// {…}}); Octavia fails with a server error when it is missing, lbaasd answers
// wsme's mandatory-field message.
func rootObject(o *object, name string) (*object, error) {
	v, ok := o.vals[name].(*object)
	if !ok || v == nil {
		return nil, clientError(400, (&inputError{name, "None", "Mandatory field missing."}).Error())
	}
	return v, nil
}

func decodeObject(s *schema, v *jvalue) (*object, error) {
	if v.kind != jObject {
		return nil, &convError{fmt.Sprintf("Value not a valid dict: %s", v.pyStr())}
	}
	var unknown []string
	for _, k := range v.keys {
		if s.attr(k) == nil {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return nil, &unknownAttrError{attrs: unknown}
	}
	o := &object{vals: map[string]any{}}
	for _, a := range s.attrs {
		jv, ok := v.vals[a.name]
		if !ok {
			if a.mandatory {
				return nil, &inputError{a.name, "None", "Mandatory field missing."}
			}
			continue
		}
		if jv.kind == jNull && a.mandatory && !a.nullable {
			return nil, &inputError{a.name, "None", "Mandatory field missing."}
		}
		cv, err := fromJSON(a, jv)
		if err != nil {
			var ua *unknownAttrError
			if errors.As(err, &ua) {
				ua.path = append([]string{a.name}, ua.path...)
			}
			return nil, err
		}
		val, err := validateAttr(a, cv)
		if err != nil {
			return nil, err
		}
		key := a.name
		if a.alias != "" {
			key = a.alias
		}
		o.vals[key] = val
	}
	return o, nil
}

// cval is a converted value: a *jvalue holding the Python value (so it can be
// printed as wsme does), or a decoded *object for complex types.
type cval struct {
	jv  *jvalue
	obj *object
	arr []*cval
}

func (c *cval) pyStr() string {
	if c == nil {
		return "None"
	}
	if c.obj != nil {
		return "<object>"
	}
	if c.arr != nil {
		parts := make([]string, len(c.arr))
		for i, e := range c.arr {
			if e == nil {
				parts[i] = "None"
			} else if e.jv != nil && e.jv.kind == jString {
				parts[i] = pyStrRepr(e.jv.s)
			} else {
				parts[i] = e.pyStr()
			}
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return c.jv.pyStr()
}

// fromJSON is wsme's fromjson for the attribute's type.
func fromJSON(a *attr, v *jvalue) (*cval, error) {
	if v.kind == jNull {
		return nil, nil
	}
	switch a.typ {
	case tObject:
		o, err := decodeObject(a.obj, v)
		if err != nil {
			return nil, err
		}
		return &cval{obj: o}, nil
	case tList:
		if v.kind != jArray {
			return nil, &convError{"Value not a valid list: " + v.pyStr()}
		}
		out := &cval{arr: make([]*cval, 0, len(v.arr))}
		for _, e := range v.arr {
			ce, err := fromJSON(a.elem, e)
			if err != nil {
				return nil, err
			}
			out.arr = append(out.arr, ce)
		}
		return out, nil
	case tDict:
		if v.kind != jObject {
			return nil, &convError{"Value not a valid dict: " + v.pyStr()}
		}
		return &cval{jv: v}, nil
	case tInt, tIntEnum:
		i, err := pyInt(v)
		if err != nil {
			return nil, err
		}
		return &cval{jv: &jvalue{kind: jInt, i: i}}, nil
	case tBool:
		b, err := pyBool(v)
		if err != nil {
			return nil, err
		}
		return &cval{jv: &jvalue{kind: jBool, b: b}}, nil
	case tFloatEnum:
		f, err := pyFloat(v)
		if err != nil {
			return nil, err
		}
		return &cval{jv: &jvalue{kind: jFloat, f: f}}, nil
	}
	// Types whose base type is str take the JSON value as it is.
	return &cval{jv: v}, nil
}

// pyInt is Python's int() of a JSON value.
func pyInt(v *jvalue) (*big.Int, error) {
	switch v.kind {
	case jInt:
		return v.i, nil
	case jBool:
		if v.b {
			return big.NewInt(1), nil
		}
		return big.NewInt(0), nil
	case jFloat:
		if math.IsInf(v.f, 0) {
			return nil, &convError{"cannot convert float infinity to integer"}
		}
		bf := big.NewFloat(math.Trunc(v.f))
		i, _ := bf.Int(nil)
		return i, nil
	case jString:
		s := strings.TrimFunc(v.s, isPySpace)
		digits := strings.TrimLeft(s, "+-")
		if len(s)-len(digits) <= 1 && digits != "" && !strings.HasPrefix(digits, "_") &&
			!strings.HasSuffix(digits, "_") && !strings.Contains(digits, "__") {
			clean := strings.ReplaceAll(s, "_", "")
			if i, ok := new(big.Int).SetString(clean, 10); ok && isDecimalDigits(strings.TrimLeft(clean, "+-")) {
				return i, nil
			}
		}
		return nil, &convError{"invalid literal for int() with base 10: " + pyStrRepr(v.s)}
	}
	return nil, &convError{fmt.Sprintf("int() argument must be a string, a bytes-like object or a real number, not '%s'", v.pyTypeName())}
}

func isDecimalDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// pyBool is wsme's bool_fromjson.
func pyBool(v *jvalue) (bool, error) {
	switch v.kind {
	case jBool:
		return v.b, nil
	case jInt:
		return v.i.Sign() != 0, nil
	case jString:
		switch v.s {
		case "true", "t", "yes", "y", "on", "1":
			return true, nil
		case "false", "f", "no", "n", "off", "0":
			return false, nil
		}
	}
	return false, &convError{"Value not an unambiguous boolean: " + v.pyStr()}
}

// pyFloat is Python's float() of a JSON value.
func pyFloat(v *jvalue) (float64, error) {
	switch v.kind {
	case jFloat:
		return v.f, nil
	case jInt:
		f, _ := new(big.Float).SetInt(v.i).Float64()
		return f, nil
	case jBool:
		if v.b {
			return 1, nil
		}
		return 0, nil
	case jString:
		s := strings.TrimFunc(v.s, isPySpace)
		if s != "" && !strings.ContainsAny(s, "xXpP") {
			if f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64); err == nil || errors.Is(err, strconv.ErrRange) {
				return f, nil
			}
		}
		return 0, &convError{"could not convert string to float: " + pyStrRepr(v.s)}
	}
	return 0, &convError{fmt.Sprintf("float() argument must be a string or a real number, not '%s'", v.pyTypeName())}
}

// isPySpace reports whether Python's str.strip() and re \s treat r as white
// space.
func isPySpace(r rune) bool {
	switch {
	case r >= 0x09 && r <= 0x0d, r >= 0x1c && r <= 0x20, r == 0x85:
		return true
	}
	return r > 0x7f && unicode.Is(unicode.Z, r)
}

// dbIntMax is the largest value an Integer column of Octavia's database
// holds; wsme itself has no bound, so lbaasd applies this one to integer
// attributes that declare no maximum.
const dbIntMax = 2147483647

// validateAttr is wsme's validate_value for the attribute (called when the
// attribute is set), returning the Go value stored for it.
func validateAttr(a *attr, c *cval) (any, error) {
	if c == nil {
		return nil, nil
	}
	v, reason := validateValue(a, c)
	if reason != "" {
		return nil, &inputError{a.name, c.pyStr(), reason}
	}
	return v, nil
}

// validateValue checks one value against its type and returns the Go value,
// or wsme's reason for rejecting it.
func validateValue(a *attr, c *cval) (any, string) {
	switch a.typ {
	case tObject:
		return c.obj, ""
	case tList:
		out := make([]any, 0, len(c.arr))
		for _, e := range c.arr {
			if e == nil {
				if a.elem.typ == tObject {
					return nil, "Value should be an object"
				}
				return nil, "Value should be string"
			}
			v, reason := validateValue(a.elem, e)
			if reason != "" {
				return nil, reason
			}
			out = append(out, v)
		}
		return out, ""
	case tDict:
		out := make(map[string]string, len(c.jv.keys))
		for _, k := range c.jv.keys {
			ev := c.jv.vals[k]
			if ev.kind == jNull {
				out[k] = ""
				continue
			}
			v, reason := validateValue(a.elem, &cval{jv: ev})
			if reason != "" {
				return nil, reason
			}
			out[k] = v.(string)
		}
		return out, ""
	case tInt:
		i := c.jv.i
		if a.min != nil && i.Cmp(big.NewInt(*a.min)) < 0 {
			return nil, fmt.Sprintf("Value should be greater or equal to %d", *a.min)
		}
		maximum := int64(dbIntMax)
		if a.max != nil {
			maximum = *a.max
		}
		if i.Cmp(big.NewInt(maximum)) > 0 {
			return nil, fmt.Sprintf("Value should be lower or equal to %d", maximum)
		}
		if i.Cmp(big.NewInt(-dbIntMax-1)) < 0 {
			return nil, fmt.Sprintf("Value should be greater or equal to %d", -dbIntMax-1)
		}
		return i.Int64(), ""
	case tIntEnum:
		if !c.jv.i.IsInt64() || !slices.Contains(a.intEnum, c.jv.i.Int64()) {
			return nil, "Value should be one of: " + a.intOrder
		}
		return c.jv.i.Int64(), ""
	case tFloatEnum:
		if !slices.Contains(a.floatEnum, c.jv.f) {
			parts := make([]string, len(a.floatEnum))
			for i, f := range a.floatEnum {
				parts[i] = pyFloatRepr(f)
			}
			return nil, "Value should be one of: " + strings.Join(parts, ", ")
		}
		return c.jv.f, ""
	case tBool:
		return c.jv.b, ""
	}
	// str-based types.
	if c.jv.kind != jString {
		switch a.typ {
		case tString:
			return nil, "Value should be string"
		case tUUID:
			return nil, "Value should be UUID format"
		case tIP:
			return nil, "Value should be IPv4 or IPv6 format"
		case tCIDR:
			return nil, "Value should be IPv4 or IPv6 CIDR format"
		case tURL:
			return nil, "Value must be a valid URL string"
		case tURLPath:
			return nil, "Value must be a valid URL Path string"
		case tALPN:
			return nil, "Value should be a valid ALPN protocol ID"
		case tEnum:
			return nil, "Value should be one of: " + strings.Join(a.enum, ", ")
		}
	}
	s := c.jv.s
	switch a.typ {
	case tString:
		n := utf8.RuneCountInString(s)
		if a.minLen > 0 && n < a.minLen {
			return nil, fmt.Sprintf("Value should have a minimum character requirement of %d", a.minLen)
		}
		if a.maxLen > 0 && n > a.maxLen {
			return nil, fmt.Sprintf("Value should have a maximum character requirement of %d", a.maxLen)
		}
		if a.pattern != nil && !a.pattern.match(s) {
			return nil, "Value should match the pattern " + a.pattern.src
		}
		return s, ""
	case tUUID:
		u, ok := canonicalUUID(s)
		if !ok {
			return nil, "Value should be UUID format"
		}
		return u, ""
	case tIP:
		if lb.CheckIPAddress("ip", s) != nil {
			return nil, "Value should be IPv4 or IPv6 format"
		}
		return s, ""
	case tCIDR:
		p, ok := pyNetwork(s)
		if !ok {
			return nil, "Value should be IPv4 or IPv6 CIDR format"
		}
		return p, ""
	case tURL:
		if s == "" || lb.CheckRedirectURL("url", s) != nil {
			return nil, "Value must be a valid URL string"
		}
		return s, ""
	case tURLPath:
		if s == "" || lb.CheckURLPath(s) != nil {
			return nil, "Value must be a valid URL Path string"
		}
		return s, ""
	case tALPN:
		if !slices.Contains(lb.ALPNProtocols(), s) {
			return nil, "Value should be a valid ALPN protocol ID"
		}
		return s, ""
	case tEnum:
		if !slices.Contains(a.enum, s) {
			return nil, "Value should be one of: " + strings.Join(a.enum, ", ")
		}
		return s, ""
	}
	return nil, "Unsupported type"
}

// canonicalUUID is str(uuid.UUID(s)).
func canonicalUUID(s string) (string, bool) {
	if lb.CheckUUID("id", s) != nil || s == "" {
		return "", false
	}
	h := strings.ReplaceAll(s, "urn:", "")
	h = strings.ReplaceAll(h, "uuid:", "")
	h = strings.Trim(h, "{}")
	h = strings.ToLower(strings.ReplaceAll(h, "-", ""))
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], true
}

// pyNetwork is ipaddress.ip_network(s, strict=False).with_prefixlen.
func pyNetwork(s string) (string, bool) {
	if lb.CheckCIDR(s) != nil {
		return "", false
	}
	addrPart, maskPart, hasMask := strings.Cut(s, "/")
	a, err := netip.ParseAddr(addrPart)
	if err != nil {
		return "", false
	}
	bits := a.BitLen()
	if hasMask {
		if n, err := strconv.Atoi(maskPart); err == nil {
			bits = n
		} else if m, err := netip.ParseAddr(maskPart); err == nil && m.Is4() {
			b := m.As4()
			x := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
			n, ok := leadingOnes(x)
			if !ok {
				n, _ = leadingOnes(^x)
			}
			bits = n
		}
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return "", false
	}
	return p.String(), true
}

// leadingOnes returns the prefix length of a netmask, or false when x is not
// of the form 1…10…0.
func leadingOnes(x uint32) (int, bool) {
	n := 0
	for n < 32 && x&(1<<(31-n)) != 0 {
		n++
	}
	if n < 32 && x<<n != 0 {
		return 0, false
	}
	return n, true
}

// Patterns of Octavia's API types, with Python's re.search semantics ("$"
// also matches before a final newline).

func cookieNamePattern() *pattern {
	return &pattern{
		src: `^[^\s,;\\]+$`,
		match: func(s string) bool {
			s = strings.TrimSuffix(s, "\n")
			if s == "" {
				return false
			}
			return !strings.ContainsFunc(s, func(r rune) bool {
				return isPySpace(r) || r == ',' || r == ';' || r == '\\'
			})
		},
	}
}

func noNewlinePattern() *pattern {
	return &pattern{
		src: `^[^\r\n]*$`,
		match: func(s string) bool {
			return !strings.ContainsAny(strings.TrimSuffix(s, "\n"), "\r\n")
		},
	}
}

func expectedCodesPattern() *pattern {
	const space = `[\t\n\v\f\r\x1c-\x1f \x85\p{Z}]*`
	re := regexp.MustCompile(`^(?:\p{Nd}{3}(?:` + space + `,` + space + `\p{Nd}{3})*|\p{Nd}{3}-\p{Nd}{3})\n?$`)
	return &pattern{src: `^(\d{3}(\s*,\s*\d{3})*)$|^(\d{3}-\d{3})$`, match: re.MatchString}
}

func domainNamePattern() *pattern {
	return &pattern{
		src:   `^(?=.{1,253}\.?$)(?:(?!-|[^.]+_)[A-Za-z0-9-_]{1,63}(?<!-)(?:\.|$))+$`,
		match: matchDomainName,
	}
}

// matchDomainName is Octavia's DOMAIN_NAME_REGEX, whose look-arounds RE2
// lacks: dot-separated labels of 1–63 [A-Za-z0-9_-], not starting or ending
// with "-", "_" only first, an optional final dot, at most 253 characters
// before it.
func matchDomainName(s string) bool {
	s = strings.TrimSuffix(s, "\n")
	body := strings.TrimSuffix(s, ".")
	if body == "" || len(body) > 253 || strings.ContainsRune(body, '\n') {
		return false
	}
	for _, label := range strings.Split(body, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' && i == 0
			if !ok {
				return false
			}
		}
	}
	return true
}

// bindObject copies a decoded object into a request struct whose fields are
// Opt values tagged with the attribute names.
func bindObject(o *object, dst any) {
	bindValue(o, reflect.ValueOf(dst).Elem())
}

func bindValue(o *object, sv reflect.Value) {
	st := sv.Type()
	for i := 0; i < st.NumField(); i++ {
		name := st.Field(i).Tag.Get("json")
		if name == "" {
			continue
		}
		v, ok := o.vals[name]
		if !ok {
			continue
		}
		f := sv.Field(i)
		f.FieldByName("Set").SetBool(true)
		if v == nil {
			f.FieldByName("Null").SetBool(true)
			continue
		}
		target := f.FieldByName("V")
		target.Set(convertValue(v, target.Type()))
	}
}

func convertValue(v any, t reflect.Type) reflect.Value {
	switch t.Kind() {
	case reflect.String:
		return reflect.ValueOf(v.(string))
	case reflect.Int:
		return reflect.ValueOf(int(v.(int64)))
	case reflect.Bool:
		return reflect.ValueOf(v.(bool))
	case reflect.Float64:
		return reflect.ValueOf(v.(float64))
	case reflect.Map:
		return reflect.ValueOf(v.(map[string]string))
	case reflect.Slice:
		items := v.([]any)
		out := reflect.MakeSlice(t, 0, len(items))
		for _, e := range items {
			out = reflect.Append(out, convertValue(e, t.Elem()))
		}
		return out
	case reflect.Pointer:
		p := reflect.New(t.Elem())
		bindValue(v.(*object), p.Elem())
		return p
	}
	panic(fmt.Sprintf("apiserver: cannot bind %T to %s", v, t))
}

// Opt is an optional request attribute: Set when the body carries it, Null
// when its value is JSON null, V otherwise.
type Opt[T any] struct {
	Set  bool
	Null bool
	V    T
}

// Has reports whether the attribute is present and not null.
func (o Opt[T]) Has() bool { return o.Set && !o.Null }

// Or returns the value, or def when the attribute is absent or null.
func (o Opt[T]) Or(def T) T {
	if o.Has() {
		return o.V
	}
	return def
}

// presentAttrs lists the attributes a bound request struct carries (present
// in the body, null or not).
func presentAttrs(req any) []string {
	sv := reflect.ValueOf(req).Elem()
	st := sv.Type()
	var out []string
	for i := 0; i < st.NumField(); i++ {
		name := st.Field(i).Tag.Get("json")
		if name != "" && sv.Field(i).FieldByName("Set").Bool() {
			out = append(out, name)
		}
	}
	return out
}
