package datasources

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/octavia"
	"github.com/lbaas/terraform-provider-lbaas/resources"
)

// base is embedded by every data source: it holds the provider's client.
type base struct {
	api octavia.API
}

// Configure receives the provider's client (nil while the provider's
// configuration is not known).
func (b *base) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	pd, ok := req.ProviderData.(*resources.ProviderData)
	if !ok || pd.API == nil {
		resp.Diagnostics.AddError("Unexpected provider data",
			fmt.Sprintf("expected *resources.ProviderData, got %T: this is a bug in the provider", req.ProviderData))
		return
	}
	b.api = pd.API
}

// ready reports an error when the provider has no client yet, and tells
// whether it has one.
func (b *base) ready(diags *diag.Diagnostics) bool {
	if b.api == nil {
		diags.AddError("Provider not configured",
			"The lbaas provider has no client: its configuration is unknown or invalid.")
		return false
	}
	return true
}

// filterSet collects Octavia list filters (API field names) from the known,
// non-null values of a data source's arguments.
type filterSet struct {
	f octavia.Filter
}

func newFilterSet() *filterSet { return &filterSet{f: octavia.Filter{}} }

// str adds field = v when v is set.
func (s *filterSet) str(field string, v types.String) {
	if !v.IsNull() && !v.IsUnknown() && v.ValueString() != "" {
		s.f[field] = v.ValueString()
	}
}

// int adds field = v when v is set.
func (s *filterSet) int(field string, v types.Int64) {
	if !v.IsNull() && !v.IsUnknown() {
		s.f[field] = fmt.Sprint(v.ValueInt64())
	}
}

// tags adds Octavia's tags filter: objects that have every tag.
func (s *filterSet) tags(ctx context.Context, v types.Set, diags *diag.Diagnostics) {
	tags := setStrings(ctx, v, diags)
	if len(tags) > 0 {
		sort.Strings(tags)
		s.f["tags"] = strings.Join(tags, ",")
	}
}

// describe renders the filters for a diagnostic.
func (s *filterSet) describe() string {
	keys := make([]string, 0, len(s.f))
	for k := range s.f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%q", k, s.f[k]))
	}
	return strings.Join(parts, ", ")
}

// exactlyOne reports the error of a lookup that found no object or more
// than one, and tells whether it found exactly one.
func exactlyOne(diags *diag.Diagnostics, kind string, n int, filters string) bool {
	switch {
	case n == 0:
		diags.AddError(fmt.Sprintf("No %s found", kind), fmt.Sprintf("No %s matches %s.", kind, filters))
		return false
	case n > 1:
		diags.AddError(fmt.Sprintf("More than one %s found", kind),
			fmt.Sprintf("%d %ss match %s: narrow the filters (or use id).", n, kind, filters))
		return false
	}
	return true
}

// idOrFilters are the validators of a lookup by "id" or by the other
// arguments of names: at least one is given, and id with none of the others.
func idOrFilters(names []string) []datasource.ConfigValidator {
	all := make([]path.Expression, 0, len(names))
	for _, n := range names {
		all = append(all, path.MatchRoot(n))
	}
	out := []datasource.ConfigValidator{datasourcevalidator.AtLeastOneOf(all...)}
	for _, n := range names {
		if n != "id" {
			out = append(out, datasourcevalidator.Conflicting(path.MatchRoot("id"), path.MatchRoot(n)))
		}
	}
	return out
}

// Attribute builders. A data source's attributes are all computed, except
// its arguments (the lookup's filters), which are optional and computed.

func computedString(desc string) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
}

func computedBool(desc string) schema.BoolAttribute {
	return schema.BoolAttribute{MarkdownDescription: desc, Computed: true}
}

func computedInt(desc string) schema.Int64Attribute {
	return schema.Int64Attribute{MarkdownDescription: desc, Computed: true}
}

func computedStringSet(desc string) schema.SetAttribute {
	return schema.SetAttribute{MarkdownDescription: desc, Computed: true, ElementType: types.StringType}
}

func computedStringList(desc string) schema.ListAttribute {
	return schema.ListAttribute{MarkdownDescription: desc, Computed: true, ElementType: types.StringType}
}

// asFilter makes an attribute of the result an optional argument too.
func asFilter(a schema.Attribute, what string) schema.Attribute {
	switch x := a.(type) {
	case schema.StringAttribute:
		x.Optional, x.MarkdownDescription = true, x.MarkdownDescription+" "+what
		return x
	case schema.Int64Attribute:
		x.Optional, x.MarkdownDescription = true, x.MarkdownDescription+" "+what
		return x
	case schema.SetAttribute:
		x.Optional, x.MarkdownDescription = true, x.MarkdownDescription+" "+what
		return x
	}
	return a
}

// Status descriptions.
var (
	provisioningStatusText = "Octavia's provisioning status: `ACTIVE`, `PENDING_CREATE`, `PENDING_UPDATE`, " +
		"`PENDING_DELETE`, `DELETED` or `ERROR`."
	operatingStatusText = "Octavia's operating status: `ONLINE`, `OFFLINE`, `DEGRADED`, `ERROR`, `DRAINING` or `NO_MONITOR`."
)

// objectType is the type of an object with the attributes.
func objectType(attrs map[string]schema.Attribute) types.ObjectType {
	ats := make(map[string]attr.Type, len(attrs))
	for name, a := range attrs {
		ats[name] = a.GetType()
	}
	return basetypes.ObjectType{AttrTypes: ats}
}

// backtickedList renders an enum list for a description.
func backtickedList(values []string) string {
	quoted := make([]string, 0, len(values))
	for _, v := range values {
		quoted = append(quoted, "`"+v+"`")
	}
	return strings.Join(quoted, ", ")
}

// Conversions.

// optionalString is "" → null.
func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// stringSet is a set of the values (nil → empty).
func stringSet(values []string) types.Set {
	elems := make([]attr.Value, 0, len(values))
	for _, v := range values {
		elems = append(elems, types.StringValue(v))
	}
	return types.SetValueMust(types.StringType, elems)
}

// stringList is a list of the values (nil → null).
func stringList(values []string) types.List {
	if values == nil {
		return types.ListNull(types.StringType)
	}
	elems := make([]attr.Value, 0, len(values))
	for _, v := range values {
		elems = append(elems, types.StringValue(v))
	}
	return types.ListValueMust(types.StringType, elems)
}

// idList is the list of the IDs of children (never null).
func idList[T any](children []*T, id func(*T) string) types.List {
	elems := make([]attr.Value, 0, len(children))
	for _, c := range children {
		if c != nil {
			elems = append(elems, types.StringValue(id(c)))
		}
	}
	return types.ListValueMust(types.StringType, elems)
}

// stringMap is a map of the values (nil → empty).
func stringMap(values map[string]string) types.Map {
	elems := make(map[string]attr.Value, len(values))
	for k, v := range values {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

// setStrings reads a set of strings; null or unknown is nil.
func setStrings(ctx context.Context, v types.Set, diags *diag.Diagnostics) []string {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	out := make([]string, 0, len(v.Elements()))
	diags.Append(v.ElementsAs(ctx, &out, false)...)
	return out
}

// isSet tells whether an argument was given.
func isSet(v attr.Value) bool { return !v.IsNull() && !v.IsUnknown() }

// Statuses of lb, for the plural data sources' filters.
func provisioningStatuses() []string {
	return []string{lb.StatusActive, lb.StatusPendingCreate, lb.StatusPendingUpdate, lb.StatusPendingDelete, lb.StatusDeleted, lb.StatusError}
}

func operatingStatuses() []string {
	return []string{lb.OperatingOnline, lb.OperatingOffline, lb.OperatingDegraded, lb.OperatingError, lb.OperatingDraining, lb.OperatingNoMonitor}
}
