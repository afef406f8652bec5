// Package resources holds the provider's lbaas_* resources: one file per
// resource, its acceptance test beside it. Resources talk to Octavia only
// through internal/octavia and validate with internal/lb.
package resources

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/octavia"
)

// Default timeouts. Create matches Octavia's own budget for building an
// amphora (up to ten minutes of Nova boot plus agent wait) with margin.
const (
	defaultCreateTimeout = 20 * time.Minute
	defaultUpdateTimeout = 20 * time.Minute
	defaultDeleteTimeout = 20 * time.Minute
)

// ProviderData is what the provider hands to resources and data sources.
type ProviderData struct {
	API octavia.API
}

// configureClient extracts the Octavia client from the provider data.
func configureClient(providerData any, diags *diag.Diagnostics) octavia.API {
	if providerData == nil {
		return nil // the provider is not configured yet (validation, plan of unknowns)
	}
	pd, ok := providerData.(*ProviderData)
	if !ok || pd.API == nil {
		diags.AddError("Unexpected provider data", fmt.Sprintf("expected *resources.ProviderData, got %T: this is a bug in the provider", providerData))
		return nil
	}
	return pd.API
}

// base is embedded by every resource: it holds the client.
type base struct {
	api octavia.API
}

// Configure receives the provider's client.
func (b *base) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	b.api = configureClient(req.ProviderData, &resp.Diagnostics)
}

// apiError adds a diagnostic that names the action, the object and its ID,
// and Octavia's own message.
func apiError(diags *diag.Diagnostics, action, kind, id string, err error) {
	summary := fmt.Sprintf("%s %s", action, kind)
	var se *octavia.StatusError
	var te *octavia.TimeoutError
	switch {
	case errors.As(err, &se):
		summary = fmt.Sprintf("%s %s %s: it went to %s", action, kind, id, se.Status)
	case errors.As(err, &te):
		summary = fmt.Sprintf("%s %s %s: timed out", action, kind, id)
	case id != "":
		summary = fmt.Sprintf("%s %s %s", action, kind, id)
	}
	diags.AddError(summary, err.Error())
}

// isNotFound tells whether err means the object is gone.
func isNotFound(err error) bool { return errors.Is(err, octavia.ErrNotFound) }

// AddRuleError turns an internal/lb rule violation into a diagnostic on the
// attribute it names (attribute names are Octavia's field names; a nested
// field "session_persistence.cookie_name" is that nested attribute), or into
// a plain error when the rule has no field. Data sources and the provider's
// plan-time checks use it too.
func AddRuleError(diags *diag.Diagnostics, err error) {
	addRuleErrorAt(diags, path.Empty(), err)
}

// addRuleErrorAt is AddRuleError for an object nested at base (an element of
// lbaas_members' map): the rule's field is appended to base. A nested path is
// also named in the detail: Terraform points at the line of a top-level
// attribute, but for a nested one only at the resource's first line.
func addRuleErrorAt(diags *diag.Diagnostics, base path.Path, err error) {
	const summary = "Invalid configuration for Octavia"
	msg := err.Error()
	p := base
	var le *lb.Error
	if errors.As(err, &le) {
		msg = le.Message
		if le.Field != "" {
			for _, part := range strings.Split(le.Field, ".") {
				p = p.AtName(part)
			}
		}
	}
	attributeError(diags, p, summary, msg)
}

// attributeError adds an error on p (a plain error when p is empty), naming
// p in the detail when it is nested.
func attributeError(diags *diag.Diagnostics, p path.Path, summary, msg string) {
	switch len(p.Steps()) {
	case 0:
		diags.AddError(summary, msg)
	case 1:
		diags.AddAttributeError(p, summary, msg)
	default:
		diags.AddAttributeError(p, summary, msg+"\n\nAttribute: "+p.String())
	}
}

// FieldPath is the attribute path of an Octavia field name.
func FieldPath(field string) path.Path {
	parts := strings.Split(field, ".")
	p := path.Root(parts[0])
	for _, part := range parts[1:] {
		p = p.AtName(part)
	}
	return p
}
