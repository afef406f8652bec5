package apiserver

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Lists follow Octavia's PaginationHelper ([PO] api/common/pagination.py):
// limit (default and cap 1000; "infinite" or <1 is unlimited), marker and
// page_reverse, sort=k1:dir,k2 or sort_key/sort_dir with created_at and id
// as tie-breakers, equality filters on any attribute, the four tag filters,
// fields= selection, and <coll>_links with next/previous hrefs.

const pageMaxLimit = 1000

// isAuxiliary tells the query parameters that are not filters.
func isAuxiliary(k string) bool {
	switch k {
	case "limit", "marker", "sort", "sort_key", "sort_dir", "fields", "page_reverse":
		return true
	}
	return false
}

// listItem is one object of a collection: its response view, the values its
// filters and sort keys compare, and its tags.
type listItem struct {
	view    view
	attrs   map[string]any
	tags    []string
	deleted bool
}

// collection describes a listed collection.
type collection struct {
	name      string // response key, e.g. "loadbalancers"
	linksName string // e.g. "loadbalancers_links"
	// aliases maps API names to the attribute the filter or sort key
	// compares (admin_state_up → enabled as Octavia translates it).
	aliases map[string]string
	// translate maps API sort keys to the model names Octavia reports in
	// "Supplied sort key" messages.
	translate map[string]string
	// known are the attributes filters and sort keys may name.
	known map[string]bool
}

type sortKey struct {
	key  string
	desc bool
}

// listQuery is a parsed list query string.
type listQuery struct {
	limit       int // 0 is unlimited
	marker      string
	hasMarker   bool
	pageReverse bool
	sort        []sortKey
	fields      []string
	filters     map[string][]string
	tags        map[string][]string
	rawSort     string
	rawSortKey  string
}

func parseLimit(q map[string][]string) (int, error) {
	vals, ok := q["limit"]
	if !ok {
		return pageMaxLimit, nil
	}
	raw := vals[len(vals)-1]
	if raw == "infinite" {
		return 0, nil
	}
	t := strings.TrimFunc(raw, isPySpace)
	digits := strings.TrimLeft(t, "+-")
	if len(t)-len(digits) > 1 || !isDecimalDigits(digits) {
		return 0, clientError(http.StatusBadRequest, fmt.Sprintf("Supplied pagination limit '%s' is not valid.", raw))
	}
	n, err := strconv.Atoi(t)
	switch {
	case err != nil && strings.HasPrefix(t, "-"), err == nil && n < 1:
		return 0, nil
	case err != nil:
		return pageMaxLimit, nil
	}
	return min(n, pageMaxLimit), nil
}

func validateSortDir(d string) (bool, error) {
	switch strings.ToLower(d) {
	case "asc":
		return false, nil
	case "desc":
		return true, nil
	}
	return false, clientError(http.StatusBadRequest, fmt.Sprintf("Supplied sort direction '%s' is not valid.", strings.ToLower(d)))
}

func last(q map[string][]string, k string) (string, bool) {
	v, ok := q[k]
	if !ok || len(v) == 0 {
		return "", false
	}
	return v[len(v)-1], true
}

// parseListQuery parses the query string in Octavia's order: limit, sort
// keys and directions, then (in apply) filters, sort key names and marker.
func parseListQuery(r *http.Request) (*listQuery, error) {
	q := r.URL.Query()
	lq := &listQuery{filters: map[string][]string{}, tags: map[string][]string{}}
	var err error
	if lq.limit, err = parseLimit(q); err != nil {
		return nil, err
	}
	lq.marker, lq.hasMarker = last(q, "marker")
	if pr, ok := last(q, "page_reverse"); ok && pr == "True" {
		lq.pageReverse = true
	}
	if sortParam, ok := last(q, "sort"); ok && sortParam != "" {
		lq.rawSort = sortParam
		for _, part := range strings.Split(sortParam, ",") {
			comps := strings.Split(part, ":")
			switch len(comps) {
			case 1:
				lq.sort = append(lq.sort, sortKey{key: comps[0]})
			case 2:
				desc, err := validateSortDir(comps[1])
				if err != nil {
					return nil, err
				}
				lq.sort = append(lq.sort, sortKey{key: comps[0], desc: desc})
			default:
				quoted := make([]string, len(comps))
				for i, c := range comps {
					quoted[i] = pyStrRepr(c)
				}
				return nil, clientError(http.StatusBadRequest,
					fmt.Sprintf("Supplied sort key '[%s]' is not valid.", strings.Join(quoted, ", ")))
			}
		}
	} else if keys, ok := last(q, "sort_key"); ok && keys != "" {
		lq.rawSortKey = keys
		ks := strings.Split(keys, ",")
		var dirs []string
		if d, ok := last(q, "sort_dir"); ok && d != "" {
			dirs = strings.Split(d, ",")
		}
		for i, k := range ks {
			d := "asc"
			if i < len(dirs) {
				d = dirs[i]
			}
			desc, err := validateSortDir(d)
			if err != nil {
				return nil, err
			}
			lq.sort = append(lq.sort, sortKey{key: k, desc: desc})
		}
	}
	if f, ok := q["fields"]; ok {
		lq.fields = f
	}
	for k, v := range q {
		if isAuxiliary(k) {
			continue
		}
		switch k {
		case "tags", "tags-any", "not-tags", "not-tags-any":
			var tags []string
			for _, x := range v {
				tags = append(tags, strings.Split(x, ",")...)
			}
			lq.tags[k] = tags
		default:
			lq.filters[k] = v
		}
	}
	return lq, nil
}

// compareAttr orders two attribute values as the database would (NULL
// first).
func compareAttr(a, b any) int {
	if a == nil || b == nil {
		switch {
		case a == nil && b == nil:
			return 0
		case a == nil:
			return -1
		default:
			return 1
		}
	}
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y)
		}
	case int:
		if y, ok := b.(int); ok {
			return cmp.Compare(x, y)
		}
	case bool:
		if y, ok := b.(bool); ok {
			switch {
			case x == y:
				return 0
			case !x:
				return -1
			default:
				return 1
			}
		}
	case float64:
		if y, ok := b.(float64); ok {
			return cmp.Compare(x, y)
		}
	}
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

// matchFilter compares an attribute with a query value.
func matchFilter(attr any, want string) bool {
	switch x := attr.(type) {
	case nil:
		return false
	case string:
		return x == want
	case int:
		n, err := strconv.Atoi(strings.TrimSpace(want))
		return err == nil && n == x
	case bool:
		return x == boolFromString(want)
	case float64:
		f, err := strconv.ParseFloat(strings.TrimSpace(want), 64)
		return err == nil && f == x
	}
	return fmt.Sprint(attr) == want
}

// boolFromString is oslo's strutils.bool_from_string.
func boolFromString(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "t", "true", "on", "y", "yes":
		return true
	}
	return false
}

func hasAll(tags, want []string) bool {
	for _, w := range want {
		if !slices.Contains(tags, w) {
			return false
		}
	}
	return true
}

func hasAny(tags, want []string) bool {
	for _, w := range want {
		if slices.Contains(tags, w) {
			return true
		}
	}
	return false
}

// list answers a list request over all objects of a collection (DELETED ones
// included: they are skipped, but may still serve as the marker).
func (s *server) list(w http.ResponseWriter, r *http.Request, c collection, all []listItem) {
	items, links, err := s.page(r, c, all)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, view{c.name: items, c.linksName: links})
}

func (s *server) page(r *http.Request, c collection, all []listItem) ([]view, []view, error) {
	lq, err := parseListQuery(r)
	if err != nil {
		return nil, nil, err
	}
	resolve := func(k string) string {
		if a, ok := c.aliases[k]; ok {
			return a
		}
		return k
	}
	for k := range lq.filters {
		if !c.known[resolve(k)] {
			return nil, nil, clientError(http.StatusBadRequest, "One or more arguments are either duplicate or invalid")
		}
	}
	var out []listItem
	for _, it := range all {
		if it.deleted {
			continue
		}
		ok := true
		for k, vals := range lq.filters {
			a := it.attrs[resolve(k)]
			if !slices.ContainsFunc(vals, func(v string) bool { return matchFilter(a, v) }) {
				ok = false
				break
			}
		}
		if t, has := lq.tags["tags"]; ok && has && !hasAll(it.tags, t) {
			ok = false
		}
		if t, has := lq.tags["tags-any"]; ok && has && !hasAny(it.tags, t) {
			ok = false
		}
		if t, has := lq.tags["not-tags"]; ok && has && hasAll(it.tags, t) {
			ok = false
		}
		if t, has := lq.tags["not-tags-any"]; ok && has && hasAny(it.tags, t) {
			ok = false
		}
		if ok {
			out = append(out, it)
		}
	}
	// Sort keys: the requested ones, then created_at and id ascending.
	keys := slices.Clone(lq.sort)
	for _, d := range []string{"created_at", "id"} {
		if !slices.ContainsFunc(keys, func(k sortKey) bool { return k.key == d }) {
			keys = append(keys, sortKey{key: d})
		}
	}
	for i, k := range keys {
		name := resolve(k.key)
		if !c.known[name] {
			reported := k.key
			if t, ok := c.translate[k.key]; ok {
				reported = t
			}
			return nil, nil, clientError(http.StatusBadRequest, fmt.Sprintf("Supplied sort key '%s' is not valid.", reported))
		}
		keys[i].key = name
	}
	compare := func(a, b map[string]any) int {
		for _, k := range keys {
			c := compareAttr(a[k.key], b[k.key])
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	}
	slices.SortStableFunc(out, func(a, b listItem) int { return compare(a.attrs, b.attrs) })
	if lq.hasMarker {
		var marker *listItem
		for i := range all {
			if all[i].attrs["id"] == lq.marker {
				marker = &all[i]
				break
			}
		}
		if marker == nil {
			return nil, nil, clientError(http.StatusBadRequest, fmt.Sprintf("Supplied pagination marker '%s' is not valid.", lq.marker))
		}
		var after []listItem
		for _, it := range out {
			c := compare(it.attrs, marker.attrs)
			if (!lq.pageReverse && c > 0) || (lq.pageReverse && c < 0) {
				after = append(after, it)
			}
		}
		out = after
	}
	if lq.limit > 0 && len(out) > lq.limit {
		out = out[:lq.limit]
	}
	views := make([]view, 0, len(out))
	for _, it := range out {
		views = append(views, selectFields(it.view, lq.fields))
	}
	return views, s.links(r, lq, out), nil
}

// links are Octavia's _make_links: previous when a marker was given, next
// when the page is full.
func (s *server) links(r *http.Request, lq *listQuery, page []listItem) []view {
	links := []view{}
	if len(page) == 0 || lq.limit == 0 {
		return links
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	base := scheme + "://" + r.Host + r.URL.Path
	attrs := []string{fmt.Sprintf("limit=%d", lq.limit)}
	if lq.rawSort != "" {
		attrs = append(attrs, "sort="+lq.rawSort)
	}
	if lq.rawSortKey != "" {
		attrs = append(attrs, "sort_key="+lq.rawSortKey)
	}
	if lq.hasMarker {
		prev := append(slices.Clone(attrs), fmt.Sprintf("marker=%v", page[0].attrs["id"]), "page_reverse=True")
		links = append(links, view{"rel": "previous", "href": base + "?" + strings.Join(prev, "&")})
	}
	if len(page) >= lq.limit {
		next := append(slices.Clone(attrs), fmt.Sprintf("marker=%v", page[len(page)-1].attrs["id"]))
		links = append(links, view{"rel": "next", "href": base + "?" + strings.Join(next, "&")})
	}
	return links
}

// knownAttrs returns the attribute names of an attrs map.
func knownAttrs(attrs map[string]any) map[string]bool {
	out := make(map[string]bool, len(attrs))
	for k := range attrs {
		out[k] = true
	}
	return out
}

// scalarAttrs copies the scalar attributes of a view (what Octavia can
// filter and sort on).
func scalarAttrs(v view, extra map[string]any) map[string]any {
	out := map[string]any{}
	for k, x := range v {
		if k == "tenant_id" {
			// Not an attribute of Octavia's data models.
			continue
		}
		switch y := x.(type) {
		case nil, string, int, bool:
			out[k] = y
		case json.Number:
			f, _ := y.Float64()
			out[k] = f
		}
	}
	for k, x := range extra {
		out[k] = x
	}
	return out
}

// fieldsOf returns the ?fields= selection of a single-object GET.
func fieldsOf(r *http.Request) []string {
	if f, ok := r.URL.Query()["fields"]; ok {
		return f
	}
	return nil
}
