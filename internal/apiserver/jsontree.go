package apiserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// jkind is the kind of a parsed JSON value.
type jkind uint8

const (
	jNull jkind = iota
	jBool
	jInt
	jFloat
	jString
	jArray
	jObject
)

// jvalue is a JSON value parsed the way Python's json module parses it:
// integers keep arbitrary precision, numbers with a fraction or exponent are
// floats, object keys keep their first position and their last value. The
// order matters because wsme prints the request body back in its messages.
type jvalue struct {
	kind jkind
	b    bool
	i    *big.Int
	f    float64
	s    string
	arr  []*jvalue
	keys []string
	vals map[string]*jvalue
}

// errBadJSON is returned for a body that is not one JSON document.
var errBadJSON = errors.New("invalid JSON")

// parseJSON parses one JSON document.
func parseJSON(data []byte) (*jvalue, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := parseValue(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errBadJSON
	}
	return v, nil
}

// maxJSONDepth bounds the nesting of a request body.
const maxJSONDepth = 64

func parseValue(dec *json.Decoder, depth int) (*jvalue, error) {
	if depth > maxJSONDepth {
		return nil, errBadJSON
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, errBadJSON
	}
	switch t := tok.(type) {
	case nil:
		return &jvalue{kind: jNull}, nil
	case bool:
		return &jvalue{kind: jBool, b: t}, nil
	case string:
		return &jvalue{kind: jString, s: t}, nil
	case json.Number:
		return parseNumber(string(t))
	case json.Delim:
		switch t {
		case '[':
			v := &jvalue{kind: jArray, arr: []*jvalue{}}
			for dec.More() {
				e, err := parseValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				v.arr = append(v.arr, e)
			}
			if _, err := dec.Token(); err != nil {
				return nil, errBadJSON
			}
			return v, nil
		case '{':
			v := &jvalue{kind: jObject, vals: map[string]*jvalue{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, errBadJSON
				}
				k, ok := kt.(string)
				if !ok {
					return nil, errBadJSON
				}
				e, err := parseValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				if _, dup := v.vals[k]; !dup {
					v.keys = append(v.keys, k)
				}
				v.vals[k] = e
			}
			if _, err := dec.Token(); err != nil {
				return nil, errBadJSON
			}
			return v, nil
		}
	}
	return nil, errBadJSON
}

func parseNumber(s string) (*jvalue, error) {
	if strings.ContainsAny(s, ".eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return nil, errBadJSON
		}
		return &jvalue{kind: jFloat, f: f}, nil
	}
	i, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return nil, errBadJSON
	}
	return &jvalue{kind: jInt, i: i}, nil
}

// pyTypeName is the name of the Python type json.loads gives the value.
func (v *jvalue) pyTypeName() string {
	switch v.kind {
	case jNull:
		return "NoneType"
	case jBool:
		return "bool"
	case jInt:
		return "int"
	case jFloat:
		return "float"
	case jString:
		return "str"
	case jArray:
		return "list"
	default:
		return "dict"
	}
}

// pyStr is Python's str() of the value, which is how wsme prints a value in
// "Value: '%s'".
func (v *jvalue) pyStr() string {
	if v.kind == jString {
		return v.s
	}
	return v.pyRepr()
}

// pyRepr is Python's repr() of the value.
func (v *jvalue) pyRepr() string {
	var b strings.Builder
	v.writeRepr(&b)
	return b.String()
}

func (v *jvalue) writeRepr(b *strings.Builder) {
	switch v.kind {
	case jNull:
		b.WriteString("None")
	case jBool:
		if v.b {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case jInt:
		b.WriteString(v.i.String())
	case jFloat:
		b.WriteString(pyFloatRepr(v.f))
	case jString:
		b.WriteString(pyStrRepr(v.s))
	case jArray:
		b.WriteByte('[')
		for i, e := range v.arr {
			if i > 0 {
				b.WriteString(", ")
			}
			e.writeRepr(b)
		}
		b.WriteByte(']')
	case jObject:
		b.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(pyStrRepr(k))
			b.WriteString(": ")
			v.vals[k].writeRepr(b)
		}
		b.WriteByte('}')
	}
}

// pyStrRepr is Python's repr() of a str.
func pyStrRepr(s string) string {
	quote := byte('\'')
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		quote = '"'
	}
	var b strings.Builder
	b.WriteByte(quote)
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == rune(quote):
			b.WriteByte('\\')
			b.WriteByte(quote)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r != ' ' && !strconv.IsPrint(r):
			switch {
			case r <= 0xff:
				fmt.Fprintf(&b, `\x%02x`, r)
			case r <= 0xffff:
				fmt.Fprintf(&b, `\u%04x`, r)
			default:
				fmt.Fprintf(&b, `\U%08x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(quote)
	return b.String()
}

// pyFloatRepr is Python's repr() of a float: the shortest round-trip digits,
// positional between 1e-4 and 1e16 (with ".0" when integral), scientific with
// a two-digit exponent otherwise.
func pyFloatRepr(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX
	mant, expS, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expS)
	if exp < -4 || exp >= 16 {
		sign := "+"
		if exp < 0 {
			sign = "-"
			exp = -exp
		}
		return fmt.Sprintf("%se%s%02d", mant, sign, exp)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}
