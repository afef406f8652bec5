package resources

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// Helpers of the pool area (lbaas_pool, lbaas_member, lbaas_members,
// lbaas_monitor). Names carry a "pm" prefix so that they cannot clash with
// the helpers other areas add to this package at the same time; generic
// ones are candidates for common.go.

// pmPlaceholderUUID stands, at plan time, for an ID that is not known yet
// (the parent is created in the same apply): the rules of internal/lb only
// check an ID's syntax without the graph, and "" would mean "unset" to them.
const pmPlaceholderUUID = "00000000-0000-0000-0000-000000000000"

// pmRule is a string validator that runs one check of internal/lb on a
// known, non-empty value and reports Octavia's message on the attribute.
type pmRule struct {
	desc  string
	check func(string) error
}

var _ validator.String = pmRule{}

// pmRuleString returns a validator running check (an internal/lb per-field
// rule such as lb.CheckExpectedCodes) on the attribute's known value.
func pmRuleString(desc string, check func(string) error) validator.String {
	return pmRule{desc: desc, check: check}
}

func (v pmRule) Description(context.Context) string         { return v.desc }
func (v pmRule) MarkdownDescription(context.Context) string { return v.desc }

func (v pmRule) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || req.ConfigValue.ValueString() == "" {
		return
	}
	if err := v.check(req.ConfigValue.ValueString()); err != nil {
		// The same diagnostic as ValidateConfig's for the same rule, so
		// Terraform shows it once.
		attributeError(&resp.Diagnostics, req.Path, "Invalid configuration for Octavia", pmRuleMessage(err))
	}
}

// pmUUID validates an ID attribute as Octavia's UuidType does.
func pmUUID(field string) validator.String {
	return pmRuleString("must be a UUID", func(v string) error { return lb.CheckUUID(field, v) })
}

// pmIPAddress validates an IP address attribute as Octavia's IPAddressType
// does.
func pmIPAddress(field string) validator.String {
	return pmRuleString("must be an IPv4 or IPv6 address", func(v string) error { return lb.CheckIPAddress(field, v) })
}

// pmRuleMessage is the message of a rule violation.
func pmRuleMessage(err error) string {
	var le *lb.Error
	if errors.As(err, &le) {
		return le.Message
	}
	return err.Error()
}

// pmKeepNonNullState is UseStateForUnknown for values that Octavia fills
// with its own defaults only at some moments (a pool's tls_ciphers,
// tls_versions and alpn_protocols appear when TLS is enabled, or after a
// full-state PUT that sends null): a value already in state is kept (and
// sent back, so it stays), while a null in state stays unknown, because the
// next write may make Octavia fill it.
type pmKeepNonNullState struct{}

var (
	_ planmodifier.String = pmKeepNonNullState{}
	_ planmodifier.List   = pmKeepNonNullState{}
)

func (pmKeepNonNullState) Description(context.Context) string {
	return "Keeps the value in state, unless it is null."
}

func (m pmKeepNonNullState) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (pmKeepNonNullState) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || !req.PlanValue.IsUnknown() || req.ConfigValue.IsUnknown() {
		return
	}
	resp.PlanValue = req.StateValue
}

func (pmKeepNonNullState) PlanModifyList(_ context.Context, req planmodifier.ListRequest, resp *planmodifier.ListResponse) {
	if req.StateValue.IsNull() || !req.PlanValue.IsUnknown() || req.ConfigValue.IsUnknown() {
		return
	}
	resp.PlanValue = req.StateValue
}

// pmUseStateIfKnownElement is UseStateForUnknown for attributes nested in
// the elements of a map: the framework's UseStateForUnknown copies the
// state's value even when the element is new (it has no state, so null),
// which plans null for a value only Octavia knows. This one copies the
// state's value only when the element is in state.
type pmUseStateIfKnownElement struct{}

var _ planmodifier.String = pmUseStateIfKnownElement{}

func (pmUseStateIfKnownElement) Description(context.Context) string {
	return "Keeps the value in state when the object is already in state."
}

func (m pmUseStateIfKnownElement) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (pmUseStateIfKnownElement) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.State.Raw.IsNull() || !req.PlanValue.IsUnknown() || req.ConfigValue.IsUnknown() {
		return
	}
	if req.StateValue.IsNull() {
		var parent types.Object
		if diags := req.State.GetAttribute(ctx, req.Path.ParentPath(), &parent); diags.HasError() || parent.IsNull() {
			return // a new element: Octavia will tell
		}
	}
	resp.PlanValue = req.StateValue
}

// pmInt64 is an optional integer of Octavia's (nil → null).
func pmInt64(p *int) types.Int64 {
	if p == nil {
		return types.Int64Null()
	}
	return types.Int64Value(int64(*p))
}

// pmIntPtr is a known integer attribute as a pointer (null or unknown → nil).
func pmIntPtr(v types.Int64) *int {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	i := int(v.ValueInt64())
	return &i
}

// pmStringOr is a known string attribute, or def when null or unknown.
func pmStringOr(v types.String, def string) string {
	if v.IsNull() || v.IsUnknown() {
		return def
	}
	return v.ValueString()
}

// pmBoolOr is a known bool attribute, or def when null or unknown.
func pmBoolOr(v types.Bool, def bool) bool {
	if v.IsNull() || v.IsUnknown() {
		return def
	}
	return v.ValueBool()
}

// pmIntOr is a known integer attribute, or def when null or unknown.
func pmIntOr(v types.Int64, def int) int {
	if v.IsNull() || v.IsUnknown() {
		return def
	}
	return int(v.ValueInt64())
}

// pmSplitImportID splits an import ID "<parent_id>/<id>".
func pmSplitImportID(id, format string, diags *diag.Diagnostics) (parent, child string, ok bool) {
	parent, child, found := strings.Cut(id, "/")
	if !found || parent == "" || child == "" || strings.Contains(child, "/") {
		diags.AddError("Invalid import ID",
			fmt.Sprintf("Expected an import ID of the form %q, got %q.", format, id))
		return "", "", false
	}
	return parent, child, true
}

// pmMemberKey is the key of a member in lbaas_members: "address:port", with
// an IPv6 address in brackets ("[2001:db8::1]:80").
func pmMemberKey(address string, port int) string {
	return net.JoinHostPort(address, strconv.Itoa(port))
}

// pmParseMemberKey parses a member key. The key must be written as
// pmMemberKey writes it, with the address in the form Octavia returns
// (netip's canonical form: lower case, zeros compressed), because Octavia
// matches members on the address string: a key written otherwise would
// never match the member it made.
func pmParseMemberKey(key string) (address string, port int, err error) {
	host, portText, err := net.SplitHostPort(key)
	if err != nil {
		return "", 0, fmt.Errorf(`a member key is "<IPv4 address>:<port>" or "[<IPv6 address>]:<port>", got %q`, key)
	}
	a, perr := netip.ParseAddr(host)
	if perr != nil || a.Zone() != "" {
		return "", 0, fmt.Errorf("the address %q of member key %q is not an IPv4 or IPv6 address", host, key)
	}
	p, perr := strconv.Atoi(portText)
	if perr != nil || p < lb.MinPort || p > lb.MaxPort {
		return "", 0, fmt.Errorf("the port %q of member key %q is not a number from %d to %d", portText, key, lb.MinPort, lb.MaxPort)
	}
	if canonical := pmMemberKey(a.String(), p); canonical != key {
		return "", 0, fmt.Errorf("write member key %q as %q: Octavia matches members on the address as written", key, canonical)
	}
	return a.String(), p, nil
}
