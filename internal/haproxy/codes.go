package haproxy

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// expandExpectedCodes parses a health monitor's expected_codes: a single code
// ("200"), a comma-separated list ("200, 202") or a range ("200-204"), and any
// mix of them. It returns the codes sorted and without duplicates. Every code
// has three digits.
func expandExpectedCodes(codes string) ([]int, error) {
	set := map[int]bool{}
	for _, tok := range strings.Split(codes, ",") {
		tok = strings.TrimSpace(tok)
		if tok == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(tok, "-")
		a, err := statusCode(strings.TrimSpace(lo))
		if err != nil {
			return nil, fmt.Errorf("haproxy: expected_codes %q: %w", codes, err)
		}
		b := a
		if isRange {
			if b, err = statusCode(strings.TrimSpace(hi)); err != nil {
				return nil, fmt.Errorf("haproxy: expected_codes %q: %w", codes, err)
			}
			if b < a {
				return nil, fmt.Errorf("haproxy: expected_codes %q: range %d-%d is empty", codes, a, b)
			}
		}
		for c := a; c <= b; c++ {
			set[c] = true
		}
	}
	if len(set) == 0 {
		return nil, fmt.Errorf("haproxy: expected_codes %q has no code", codes)
	}
	out := make([]int, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	sort.Ints(out)
	return out, nil
}

func statusCode(s string) (int, error) {
	if len(s) != 3 {
		return 0, fmt.Errorf("%q is not a three-digit HTTP status code", s)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 100 {
		return 0, fmt.Errorf("%q is not a three-digit HTTP status code", s)
	}
	return n, nil
}

// statusRegex returns an anchored regular expression that matches exactly
// the given three-digit codes (sorted, without duplicates), compacted per
// hundred and per ten with character classes: 200-204 → ^20[0-4]$,
// 200-299 → ^2[0-9][0-9]$, 200,301 → ^(?:200|301)$.
func statusRegex(codes []int) string {
	present := map[int]bool{}
	for _, c := range codes {
		present[c] = true
	}
	var alts []string
	for h := 1; h <= 9; h++ {
		full := true
		some := false
		for c := h * 100; c < h*100+100; c++ {
			if present[c] {
				some = true
			} else {
				full = false
			}
		}
		if !some {
			continue
		}
		if full {
			alts = append(alts, strconv.Itoa(h)+"[0-9][0-9]")
			continue
		}
		for t := 0; t <= 9; t++ {
			var digits []int
			for u := 0; u <= 9; u++ {
				if present[h*100+t*10+u] {
					digits = append(digits, u)
				}
			}
			if len(digits) > 0 {
				alts = append(alts, strconv.Itoa(h)+strconv.Itoa(t)+digitClass(digits))
			}
		}
	}
	if len(alts) == 1 {
		return "^" + alts[0] + "$"
	}
	return "^(?:" + strings.Join(alts, "|") + ")$"
}

// digitClass returns a regular expression for a sorted set of digits: the
// digit itself, or a character class in which runs of three or more digits
// are written as ranges.
func digitClass(d []int) string {
	if len(d) == 1 {
		return strconv.Itoa(d[0])
	}
	if len(d) == 10 {
		return "[0-9]"
	}
	var b strings.Builder
	b.WriteByte('[')
	for i := 0; i < len(d); {
		j := i
		for j+1 < len(d) && d[j+1] == d[j]+1 {
			j++
		}
		if j-i >= 2 {
			fmt.Fprintf(&b, "%d-%d", d[i], d[j])
		} else {
			for k := i; k <= j; k++ {
				b.WriteString(strconv.Itoa(d[k]))
			}
		}
		i = j + 1
	}
	b.WriteByte(']')
	return b.String()
}

// httpCheckExpect returns the http-check expect rule for expected_codes:
// "status <code>" for a single code, "rstatus <regex>" otherwise.
func httpCheckExpect(expected string) (string, error) {
	codes, err := expandExpectedCodes(expected)
	if err != nil {
		return "", err
	}
	if len(codes) == 1 {
		return "http-check expect status " + strconv.Itoa(codes[0]), nil
	}
	return "http-check expect rstatus " + quoteWord(statusRegex(codes)), nil
}
