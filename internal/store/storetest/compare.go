package storetest

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

var timeType = reflect.TypeFor[time.Time]()

// Diff lists the differences between want and got (at most 20), walking
// them as reflect.DeepEqual does except that times are compared with
// time.Time.Equal (a store need not keep the location or the monotonic
// reading) and that an empty slice of pointers (the nested children of an
// object) equals a nil one.
func Diff(want, got any) []string {
	var out []string
	diffValue("", reflect.ValueOf(want), reflect.ValueOf(got), &out)
	return out
}

const maxDiffs = 20

func diffValue(path string, a, b reflect.Value, out *[]string) {
	if len(*out) >= maxDiffs {
		return
	}
	if !a.IsValid() || !b.IsValid() {
		if a.IsValid() != b.IsValid() {
			*out = append(*out, fmt.Sprintf("%s: want %v, got %v", path, a, b))
		}
		return
	}
	if a.Type() != b.Type() {
		*out = append(*out, fmt.Sprintf("%s: want type %s, got %s", path, a.Type(), b.Type()))
		return
	}
	if a.Type() == timeType {
		ta, tb := a.Interface().(time.Time), b.Interface().(time.Time)
		if !ta.Equal(tb) {
			*out = append(*out, fmt.Sprintf("%s: want %s, got %s", path, ta.Format(time.RFC3339Nano), tb.Format(time.RFC3339Nano)))
		}
		return
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				*out = append(*out, fmt.Sprintf("%s: want nil %t, got nil %t", path, a.IsNil(), b.IsNil()))
			}
			return
		}
		diffValue(path, a.Elem(), b.Elem(), out)
	case reflect.Struct:
		for i := range a.NumField() {
			diffValue(path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i), out)
		}
	case reflect.Slice:
		if a.Len() == 0 && b.Len() == 0 && a.Type().Elem().Kind() == reflect.Pointer {
			return
		}
		if a.IsNil() != b.IsNil() {
			*out = append(*out, fmt.Sprintf("%s: want %#v, got %#v", path, a.Interface(), b.Interface()))
			return
		}
		if a.Len() != b.Len() {
			*out = append(*out, fmt.Sprintf("%s: want %d elements, got %d (want %s, got %s)", path, a.Len(), b.Len(), ids(a), ids(b)))
			return
		}
		for i := range a.Len() {
			diffValue(fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i), out)
		}
	case reflect.Map:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			*out = append(*out, fmt.Sprintf("%s: want %#v, got %#v", path, a.Interface(), b.Interface()))
			return
		}
		for _, k := range a.MapKeys() {
			bv := b.MapIndex(k)
			if !bv.IsValid() {
				*out = append(*out, fmt.Sprintf("%s[%v]: missing", path, k))
				continue
			}
			diffValue(fmt.Sprintf("%s[%v]", path, k), a.MapIndex(k), bv, out)
		}
	default:
		if !a.Equal(b) {
			*out = append(*out, fmt.Sprintf("%s: want %#v, got %#v", path, a.Interface(), b.Interface()))
		}
	}
}

// ids renders the IDs of a slice of objects, or its length.
func ids(v reflect.Value) string {
	if v.Type().Elem().Kind() != reflect.Pointer || v.Type().Elem().Elem().Kind() != reflect.Struct {
		return fmt.Sprint(v.Len())
	}
	var s []string
	for i := range v.Len() {
		e := v.Index(i)
		if e.IsNil() {
			s = append(s, "nil")
			continue
		}
		if f := e.Elem().FieldByName("ID"); f.IsValid() {
			s = append(s, f.String())
		}
	}
	return fmt.Sprint(s)
}

// requireGraph fails t unless got is want.
func requireGraph(t testing.TB, want, got *lb.LoadBalancer) {
	t.Helper()
	if d := Diff(want, got); len(d) > 0 {
		for _, l := range d {
			t.Errorf("graph %s%s", want.ID, l)
		}
		t.FailNow()
	}
}

// zeroFields lists the fields of v, recursively, that hold their zero value.
func zeroFields(path string, v reflect.Value, out *[]string) {
	if v.Type() == timeType {
		if v.Interface().(time.Time).IsZero() {
			*out = append(*out, path)
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			*out = append(*out, path)
			return
		}
		zeroFields(path, v.Elem(), out)
	case reflect.Struct:
		for i := range v.NumField() {
			zeroFields(path+"."+v.Type().Field(i).Name, v.Field(i), out)
		}
	case reflect.Slice:
		if v.Len() == 0 {
			*out = append(*out, path)
		}
		for i := range v.Len() {
			zeroFields(fmt.Sprintf("%s[%d]", path, i), v.Index(i), out)
		}
	default:
		if v.IsZero() {
			*out = append(*out, path)
		}
	}
}
