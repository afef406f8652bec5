package resources

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/defaults"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// Helpers shared by every resource: the ERROR → replace rule, timeouts,
// the conversions between internal/lb values and framework values, and the
// common attributes (id, tags, statuses, timeouts).

// requireAPI reports an error when the provider has not been configured
// (Terraform does not apply with an unknown provider configuration, so this
// is a bug or a misuse) and tells whether the client is there.
func requireAPI(api any, diags *diag.Diagnostics) bool {
	if api == nil {
		diags.AddError("Provider not configured",
			"The lbaas provider has no client: its configuration was unknown or invalid. This is a bug if the configuration is known.")
		return false
	}
	return true
}

// errorWarning is the warning of an object found in provisioning_status ERROR.
func errorWarning(diags *diag.Diagnostics, kind, id string) {
	diags.AddWarning(
		fmt.Sprintf("The %s %s is in ERROR", kind, id),
		fmt.Sprintf("Octavia reports provisioning_status ERROR for %s %s: it cannot serve or be updated, "+
			"so Terraform will replace it (delete it and create it again) on the next apply.", kind, id))
}

// warnIfError adds errorWarning when a refreshed object is in ERROR. Read
// keeps such an object in state; ModifyPlan (replaceIfError) replaces it.
func warnIfError(diags *diag.Diagnostics, kind, id, provisioningStatus string) {
	if provisioningStatus == lb.StatusError {
		errorWarning(diags, kind, id)
	}
}

// replaceIfError is the ModifyPlan rule of every resource with a root
// provisioning_status attribute: an object whose state says ERROR is planned
// for replacement, with a warning. The planned provisioning_status becomes
// unknown so that the path marked for replacement has a change, as
// Terraform requires.
func replaceIfError(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse, kind string) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return // create or destroy
	}
	var status, id types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("provisioning_status"), &status)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	if resp.Diagnostics.HasError() || status.ValueString() != lb.StatusError {
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("provisioning_status"), types.StringUnknown())...)
	resp.RequiresReplace = append(resp.RequiresReplace, path.Root("provisioning_status"))
	errorWarning(&resp.Diagnostics, kind, id.ValueString())
}

// timeoutsAttribute is the timeouts nested attribute (create, update,
// delete) with the package defaults in its description.
func timeoutsAttribute(ctx context.Context) schema.Attribute {
	a := timeouts.Attributes(ctx, timeouts.Opts{Create: true, Update: true, Delete: true})
	if sa, ok := a.(schema.SingleNestedAttribute); ok {
		sa.MarkdownDescription = fmt.Sprintf("How long to wait for the object to become ACTIVE (create, update) or "+
			"to be gone (delete), as Go durations (`\"30m\"`, `\"1h\"`). Defaults: create %s, update %s, delete %s.",
			defaultCreateTimeout, defaultUpdateTimeout, defaultDeleteTimeout)
		return sa
	}
	return a
}

// Timeout operations.
const (
	opCreate = "create"
	opUpdate = "update"
	opDelete = "delete"
)

// withTimeout bounds ctx by the resource's timeout for op (its default when
// unset).
func withTimeout(ctx context.Context, t timeouts.Value, op string, diags *diag.Diagnostics) (context.Context, context.CancelFunc) {
	var (
		d  time.Duration
		ds diag.Diagnostics
	)
	switch op {
	case opCreate:
		d, ds = t.Create(ctx, defaultCreateTimeout)
	case opUpdate:
		d, ds = t.Update(ctx, defaultUpdateTimeout)
	default:
		d, ds = t.Delete(ctx, defaultDeleteTimeout)
	}
	diags.Append(ds...)
	return context.WithTimeout(ctx, d)
}

// idAttribute is the computed, stable id of every object.
func idAttribute(kind string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: "The " + kind + "'s ID (a UUID chosen by Octavia).",
		Computed:            true,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}

// provisioningStatusAttribute is the computed provisioning_status. It has no
// UseStateForUnknown: a write to any child of the load balancer moves the
// object to PENDING_UPDATE, so after an update the value Octavia reports is
// not known in advance.
func provisioningStatusAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: "Octavia's provisioning status: " + backticked(provisioningStatuses()) +
			". An object found in `ERROR` is planned for replacement.",
		Computed: true,
	}
}

// operatingStatusAttribute is the computed operating_status (it changes over
// time with the health of the data plane).
func operatingStatusAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: "Octavia's operating status: " + backticked(operatingStatuses()) + ".",
		Computed:            true,
	}
}

// tagsAttribute is an optional set of tags that defaults to the empty set,
// as Octavia answers `[]` for an object without tags.
func tagsAttribute() schema.SetAttribute {
	return schema.SetAttribute{
		MarkdownDescription: fmt.Sprintf("Tags (strings of at most %d characters). Defaults to no tags.", lb.MaxTagLength),
		ElementType:         types.StringType,
		Optional:            true,
		Computed:            true,
		Default:             setdefault.StaticValue(emptyStringSet()),
		Validators:          []validator.Set{setvalidator.ValueStringsAre(stringvalidator.LengthAtMost(lb.MaxTagLength))},
	}
}

// emptyStringSet is the empty set of strings.
func emptyStringSet() types.Set { return types.SetValueMust(types.StringType, []attr.Value{}) }

// emptyStringMap is the empty map of strings.
func emptyStringMap() types.Map { return types.MapValueMust(types.StringType, map[string]attr.Value{}) }

// emptyStringMapDefault is a map default of no entries.
func emptyStringMapDefault() defaults.Map {
	return mapdefault.StaticValue(emptyStringMap())
}

// provisioningStatuses lists Octavia's provisioning statuses.
func provisioningStatuses() []string {
	return []string{lb.StatusActive, lb.StatusPendingCreate, lb.StatusPendingUpdate, lb.StatusPendingDelete, lb.StatusDeleted, lb.StatusError}
}

// operatingStatuses lists Octavia's operating statuses.
func operatingStatuses() []string {
	return []string{lb.OperatingOnline, lb.OperatingOffline, lb.OperatingDegraded, lb.OperatingError, lb.OperatingDraining, lb.OperatingNoMonitor}
}

// backticked renders an enum list for a description: `A`, `B`, `C`.
func backticked(values []string) string {
	out := ""
	for i, v := range values {
		if i > 0 {
			out += ", "
		}
		out += "`" + v + "`"
	}
	return out
}

// optionalString is "" → null, anything else → the value (Octavia answers
// null, rendered "" by internal/lb, for an unset optional string).
func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// stringSet converts a list of strings to a set (nil → the empty set).
func stringSet(values []string) types.Set {
	elems := make([]attr.Value, 0, len(values))
	for _, v := range values {
		elems = append(elems, types.StringValue(v))
	}
	return types.SetValueMust(types.StringType, elems)
}

// nullableStringSet converts a list of strings to a set (nil → null).
func nullableStringSet(values []string) types.Set {
	if values == nil {
		return types.SetNull(types.StringType)
	}
	return stringSet(values)
}

// stringList converts a list of strings to a list value (nil → null).
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

// stringMap converts a map of strings (nil → the empty map).
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

// listStrings reads a list of strings; null or unknown is nil.
func listStrings(ctx context.Context, v types.List, diags *diag.Diagnostics) []string {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	out := make([]string, 0, len(v.Elements()))
	diags.Append(v.ElementsAs(ctx, &out, false)...)
	return out
}

// mapStrings reads a map of strings; null or unknown is nil.
func mapStrings(ctx context.Context, v types.Map, diags *diag.Diagnostics) map[string]string {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	out := make(map[string]string, len(v.Elements()))
	diags.Append(v.ElementsAs(ctx, &out, false)...)
	return out
}

// ruleCheck reports the result of an internal/lb validation made at plan
// time: nothing for nil; nothing either when the rule is about a field whose
// value is not known yet (unknown holds root attribute names), since the
// check ran with a stand-in value for it; otherwise an attribute error on
// the path fieldPath gives for Octavia's field name (FieldPath when nil).
func ruleCheck(diags *diag.Diagnostics, err error, unknown map[string]bool, fieldPath func(string) path.Path) {
	if err == nil {
		return
	}
	var le *lb.Error
	if !errors.As(err, &le) || le.Field == "" {
		AddRuleError(diags, err)
		return
	}
	root, _, _ := strings.Cut(le.Field, ".")
	if unknown[root] {
		return
	}
	if fieldPath == nil {
		fieldPath = FieldPath
	}
	p := fieldPath(le.Field)
	// The summary names the attribute: Terraform cannot quote the line of
	// an attribute the configuration leaves out.
	diags.AddAttributeError(p, "Invalid "+p.String()+" for Octavia", le.Message)
}

// knownString is the value of a known string, and whether it is known (a
// null is known and "").
func knownString(v types.String, name string, unknown map[string]bool) string {
	if v.IsUnknown() {
		unknown[name] = true
	}
	return v.ValueString()
}
