package haproxy

import (
	"fmt"
	"sort"
	"strings"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// TLSFile is one file that the rendered configuration refers to. The caller
// writes every one before it runs "haproxy -c".
type TLSFile struct {
	// Path is where the configuration expects the file.
	Path string
	// Ref is the certificate container or secret reference whose PEM the
	// caller fetches and writes at Path: for a listener certificate and a
	// pool client certificate the certificate, its intermediates and its
	// private key; for a CA or a CRL the secret as stored. Empty for a
	// crt-list.
	Ref string
	// Content is the whole file when the renderer knows it (a crt-list: one
	// certificate path a line, the listener's default certificate first, then
	// its SNI certificates; HAProxy picks by SNI among them); empty otherwise.
	Content string
}

// TLSFiles lists the files that Render's output for the same graph and
// options refers to, sorted by path and without duplicates. It validates the
// graph like Render does.
func TLSFiles(l *lb.LoadBalancer, opts Options) ([]TLSFile, error) {
	if l == nil {
		return nil, fmt.Errorf("haproxy: no load balancer")
	}
	if err := lb.ValidateGraph(l); err != nil {
		return nil, err
	}
	if err := lb.SupportedByAmphora(l); err != nil {
		return nil, err
	}
	p, err := newPlan(l, opts)
	if err != nil {
		return nil, err
	}
	o := p.opts
	files := map[string]TLSFile{}
	addRef := func(ref string) {
		if ref != "" {
			path := CertPath(o, ref)
			files[path] = TLSFile{Path: path, Ref: ref}
		}
	}
	for _, lp := range p.listeners {
		li := lp.l
		if lp.tls {
			var lines []string
			for _, ref := range append([]string{li.DefaultTLSContainerRef}, li.SNIContainerRefs...) {
				if ref == "" {
					continue
				}
				addRef(ref)
				lines = append(lines, CertPath(o, ref))
			}
			for _, line := range lines {
				if strings.ContainsAny(line, " \t\n") {
					return nil, fmt.Errorf("haproxy: certificate path %q: crt-list paths cannot contain spaces", line)
				}
			}
			path := CrtListPath(o, li.ID)
			files[path] = TLSFile{Path: path, Content: strings.Join(lines, "\n") + "\n"}
			if li.ClientCATLSContainerRef != "" {
				addRef(li.ClientCATLSContainerRef)
				addRef(li.ClientCRLContainerRef)
			}
		}
		for _, pool := range lp.backends {
			if pool.TLSEnabled {
				addRef(pool.TLSContainerRef)
				addRef(pool.CATLSContainerRef)
				if pool.CATLSContainerRef != "" {
					addRef(pool.CRLContainerRef)
				}
			}
		}
	}
	out := make([]TLSFile, 0, len(files))
	for _, f := range files {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}
