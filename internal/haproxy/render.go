// Package haproxy renders a load balancer's object graph into the one
// haproxy.cfg that runs it, in the shape of Octavia's "combined listeners"
// template (octavia/common/jinja/haproxy/combined_listeners): one frontend
// per listener, named by its ID, and one backend per (pool, listener) pair,
// named "<pool_id>:<listener_id>". It is a pure renderer: it reads no file and
// runs no process; the caller writes the text and the TLS files (TLSFiles)
// and checks the result with the real "haproxy -c".
//
// What the renderer does, and where it knowingly differs from Octavia:
//
//   - UDP and SCTP listeners (and their pools) are not rendered: Octavia
//     serves them with keepalived's LVS, not HAProxy. They also have no share
//     of the global maxconn.
//   - A disabled load balancer renders no proxy; a disabled listener, pool,
//     policy, rule or health monitor is left out, as Octavia does. A disabled
//     member is rendered "disabled".
//   - The global maxconn sums the connection limits of the listeners that get
//     a frontend (Octavia also counts disabled listeners).
//   - ACTIVE_STANDBY: the peers section lists the amphorae that have a
//     vrrp_ip and are ALLOCATED (or carry no status in the graph), and the
//     stick tables of session persistence are shared through it. The local
//     peer is Options.AmphoraID ("localpeer").
//   - L7 policies are emitted grouped the way HAProxy evaluates them, each
//     group in position order: REJECT, then REDIRECT_TO_URL and
//     REDIRECT_PREFIX, then REDIRECT_TO_POOL. This is Octavia's documented
//     precedence, and the order in which HAProxy runs http-request, redirect
//     and use_backend rules anyway; writing them interleaved only makes
//     HAProxy warn.
//   - L7 policies are rendered on HTTP-mode listeners only: the amphora
//     provider (lb.SupportedByAmphora) accepts them only on HTTP and
//     TERMINATED_HTTPS listeners.
//   - Rule values are passed to HAProxy literally (strongly quoted when
//     needed). Octavia only escapes spaces and backslashes, so its output
//     breaks on values with quotes or "#".
//   - FILE_TYPE EQUAL_TO <ext> matches paths that end in ".<ext>". Octavia's
//     "path_end -m str <ext>" compares the whole path with <ext> and never
//     matches a real path.
//   - HTTP and HTTPS checks are "option httpchk" plus "http-check send meth
//     <method> uri <url_path> [ver HTTP/<version> [hdr Host <domain_name>]]":
//     Octavia's "option httpchk GET / HTTP/1.1\r\nHost:\ <domain>" draws a
//     deprecation warning from HAProxy 2.2+. expected_codes become
//     "http-check expect status <code>" or an anchored "rstatus" regex. A
//     check delay of 0 (which Octavia's API accepts) is an error: HAProxy
//     refuses "inter 0".
//   - Zero timeouts mean the defaults (50000/5000/50000 ms), and a
//     connection_limit of 0 means the default limit, as in Octavia, which
//     tests these values for truth.
//   - Every backend gets "timeout tunnel" = max(timeout_member_data,
//     timeout_client_data): HAProxy uses the tunnel timeout instead of the
//     client and server timeouts once a connection is a tunnel (an upgraded
//     WebSocket, or any TCP-mode connection), and honours it only in
//     backends.
//   - HTTP_COOKIE and APP_COOKIE persistence need HTTP mode; a TCP-mode
//     backend gets a comment instead of directives HAProxy would ignore.
//     SOURCE_IP stick tables are "type ipv6" when a VIP is IPv6.
//   - X-Forwarded-* headers are inserted in every HTTP-mode backend of the
//     listener (Octavia skips them for PROXY pools).
//   - PROMETHEUS listeners serve HAProxy's own exporter
//     ("http-request use-service prometheus-exporter") on /metrics instead of
//     forwarding to Octavia's metrics proxy.
//   - allowed_cidrs are enforced by HAProxy only with
//     Options.EnforceAllowedCIDRs (Octavia relies on Neutron security groups).
//   - Not here: UDP/SCTP (keepalived), the split-listeners layout
//     (one process per listener) and compatibility with HAProxy before 2.6.
package haproxy

import (
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// Render returns the haproxy.cfg of load balancer l. It first checks the
// graph with lb.ValidateGraph and lb.SupportedByAmphora and returns their
// error unchanged. The output is deterministic: frontends follow the graph's
// order of listeners; each is followed by its backends, the default pool's
// first, then those of its REDIRECT_TO_POOL policies by position; servers,
// peers and ACLs follow the graph's order of members, amphorae and rules.
func Render(l *lb.LoadBalancer, opts Options) (string, error) {
	if l == nil {
		return "", fmt.Errorf("haproxy: no load balancer")
	}
	if err := lb.ValidateGraph(l); err != nil {
		return "", err
	}
	if err := lb.SupportedByAmphora(l); err != nil {
		return "", err
	}
	p, err := newPlan(l, opts)
	if err != nil {
		return "", err
	}
	r := &renderer{p: p}
	if err := r.render(); err != nil {
		return "", err
	}
	return r.b.String(), nil
}

type renderer struct {
	p *plan
	b strings.Builder
}

// section starts a section (no indent).
func (r *renderer) section(words ...string) {
	r.b.WriteString(strings.Join(words, " "))
	r.b.WriteByte('\n')
}

// line writes one indented line of a section.
func (r *renderer) line(words ...string) {
	r.b.WriteString("    ")
	r.b.WriteString(strings.Join(words, " "))
	r.b.WriteByte('\n')
}

func (r *renderer) blank() { r.b.WriteByte('\n') }

func (r *renderer) render() error {
	p := r.p
	if err := checkName("load balancer id", p.lb.ID); err != nil {
		return err
	}
	r.section("# Configuration for loadbalancer", p.lb.ID)
	if err := r.global(); err != nil {
		return err
	}
	r.blank()
	r.defaults()
	if len(p.peers) > 0 {
		r.blank()
		if err := r.peersSection(); err != nil {
			return err
		}
	}
	for _, lp := range p.listeners {
		r.blank()
		if err := r.frontend(lp); err != nil {
			return err
		}
		for _, pool := range lp.backends {
			r.blank()
			if err := r.backend(lp, pool); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r *renderer) global() error {
	o := r.p.opts
	r.section("global")
	if o.Daemon {
		r.line("daemon")
	}
	if err := checkTexts("user", o.User, "group", o.Group, "state dir", o.StateDir,
		"cert dir", o.CertDir, "stats socket level", o.StatsSocketLevel); err != nil {
		return err
	}
	if o.User != "" {
		r.line("user", quoteWord(o.User))
	}
	if o.Group != "" {
		r.line("group", quoteWord(o.Group))
	}
	for _, t := range o.LogTargets {
		if t.Address == "" || t.Facility == "" {
			return fmt.Errorf("haproxy: log target %+v needs an address and a facility", t)
		}
		words := []string{"log", quoteWord(t.Address), quoteWord(t.Facility)}
		if t.Level != "" {
			words = append(words, quoteWord(t.Level))
		}
		for _, w := range []string{t.Address, t.Facility, t.Level} {
			if err := checkText("log target", w); err != nil {
				return err
			}
		}
		r.line(words...)
	}
	sock := StatsSocketPath(o, r.p.lb.ID)
	if len(sock) > maxSocketPath {
		return fmt.Errorf("haproxy: stats socket path %q is %d bytes long; HAProxy accepts at most %d: use a shorter StateDir",
			sock, len(sock), maxSocketPath)
	}
	r.line("stats socket", quoteWord(sock), "mode 0666 level", quoteWord(o.StatsSocketLevel))
	r.line("server-state-file", quoteWord(ServerStatePath(o, r.p.lb.ID)))
	limits := make([]int, 0, len(r.p.listeners))
	for _, lp := range r.p.listeners {
		limits = append(limits, lp.maxconn)
	}
	r.line("maxconn", strconv.Itoa(globalMaxConn(limits, o.MaxConnCap)))
	if r.p.localPeer != "" {
		r.line("localpeer", PeerName(r.p.localPeer))
	}
	if r.p.hasPing() {
		if err := checkText("ping script", o.PingScript); err != nil {
			return err
		}
		r.line("external-check")
		// HAProxy 2.2+ refuses to fork for external checks without it.
		r.line("insecure-fork-wanted")
	}
	return nil
}

// hasPing reports whether a rendered backend has an enabled PING monitor.
func (p *plan) hasPing() bool {
	for _, lp := range p.listeners {
		for _, pool := range lp.backends {
			if hm := monitor(pool); hm != nil && hm.Type == lb.MonitorPing {
				return true
			}
		}
	}
	return false
}

// connectionLogging reports whether connections are logged: there is a log
// target and the caller did not turn it off.
func (p *plan) connectionLogging() bool {
	return len(p.opts.LogTargets) > 0 && !p.opts.DisableConnectionLogging
}

func (r *renderer) defaults() {
	r.section("defaults")
	if r.p.connectionLogging() {
		r.line("log global")
	} else {
		r.line("no log")
	}
	r.line("retries 3")
	r.line("option redispatch")
	r.line("option splice-request")
	r.line("option splice-response")
	r.line("option http-keep-alive")
}

func (r *renderer) peersSection() error {
	r.section("peers", PeersSectionName(r.p.lb.ID))
	for _, a := range r.p.peers {
		if err := checkName("amphora vrrp_ip", a.VRRPIP); err != nil {
			return err
		}
		r.line("peer", PeerName(a.ID), hostPort(a.VRRPIP, r.p.opts.PeerPort))
	}
	return nil
}

// hostPort joins an address and a port the way HAProxy reads them: the
// port follows the last colon, so IPv6 addresses need no brackets.
func hostPort(addr string, port int) string {
	return addr + ":" + strconv.Itoa(port)
}

func (r *renderer) frontend(lp *listenerPlan) error {
	li := lp.l
	if err := checkName("listener id", li.ID); err != nil {
		return err
	}
	r.section("frontend", li.ID)
	r.line("maxconn", strconv.Itoa(lp.maxconn))
	binds, err := r.bindOptions(lp)
	if err != nil {
		return err
	}
	vips := append([]string{r.p.lb.VIPAddress}, additionalVIPs(r.p.lb)...)
	for _, vip := range vips {
		if err := checkName("VIP address", vip); err != nil {
			return err
		}
		r.line(append([]string{"bind", hostPort(vip, li.ProtocolPort)}, binds...)...)
	}
	r.line("mode", lp.mode)
	if r.p.opts.EnforceAllowedCIDRs && len(li.AllowedCIDRs) > 0 {
		words := []string{"tcp-request connection reject if !{ src"}
		for _, c := range li.AllowedCIDRs {
			if _, _, err := net.ParseCIDR(c); err != nil {
				return fmt.Errorf("haproxy: listener %s: allowed_cidrs: %w", li.ID, err)
			}
			words = append(words, c)
		}
		r.line(append(words, "}")...)
	}
	if li.Protocol == lb.ProtocolPrometheus {
		r.line("http-request use-service prometheus-exporter if { path /metrics }")
		r.line("http-request return status 404")
	}
	if err := r.policies(lp); err != nil {
		return err
	}
	if lp.defaultPool != nil {
		r.line("default_backend", BackendName(lp.defaultPool.ID, li.ID))
	}
	r.line("timeout client", strconv.Itoa(orDefault(li.TimeoutClientData, lb.DefaultTimeoutClientData)))
	if li.TimeoutTCPInspect > 0 {
		r.line("tcp-request inspect-delay", strconv.Itoa(li.TimeoutTCPInspect))
	}
	if r.p.connectionLogging() {
		format, err := r.logFormat(lp)
		if err != nil {
			return err
		}
		r.line("log-format", quoteWord(format))
	}
	return nil
}

// orDefault is Octavia's "value or CONF default": a zero timeout means the
// configured default.
func orDefault(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

func (r *renderer) logFormat(lp *listenerPlan) (string, error) {
	project := r.p.lb.ProjectID
	if project == "" {
		project = "-"
	}
	f := strings.NewReplacer("{{ project_id }}", project, "{{ lb_id }}", r.p.lb.ID).Replace(r.p.opts.UserLogFormat)
	if lp.mode != "http" {
		// Order matters: the quoted forms first.
		f = strings.NewReplacer("%{+Q}r", "-", "%{+Q}ST", "-").Replace(f)
		f = strings.NewReplacer("%r", "-", "%ST", "-").Replace(f)
	}
	return f, checkText("log format", f)
}

// bindOptions returns the TLS options of a listener's bind lines.
func (r *renderer) bindOptions(lp *listenerPlan) ([]string, error) {
	if !lp.tls {
		return nil, nil
	}
	li := lp.l
	o := r.p.opts
	opts := []string{"ssl", "crt-list", quoteWord(CrtListPath(o, li.ID))}
	if li.ClientCATLSContainerRef != "" {
		verify := map[string]string{
			"": "none", lb.ClientAuthNone: "none", lb.ClientAuthOptional: "optional", lb.ClientAuthMandatory: "required",
		}[li.ClientAuthentication]
		if verify == "" {
			return nil, fmt.Errorf("haproxy: listener %s: unknown client_authentication %q", li.ID, li.ClientAuthentication)
		}
		opts = append(opts, "ca-file", quoteWord(CertPath(o, li.ClientCATLSContainerRef)), "verify", verify)
		if li.ClientCRLContainerRef != "" {
			opts = append(opts, "crl-file", quoteWord(CertPath(o, li.ClientCRLContainerRef)))
		}
	}
	tlsOpts, err := tlsOptions("listener "+li.ID, li.TLSCiphers, li.TLSVersions, li.ALPNProtocols)
	if err != nil {
		return nil, err
	}
	return append(opts, tlsOpts...), nil
}

// tlsOptions returns the ciphers, no-<version> and alpn options shared by
// bind and server lines.
func tlsOptions(what, ciphers string, versions, alpn []string) ([]string, error) {
	var opts []string
	if ciphers != "" {
		if err := checkText(what+" tls_ciphers", ciphers); err != nil {
			return nil, err
		}
		opts = append(opts, "ciphers", quoteWord(ciphers))
	}
	if len(versions) > 0 {
		allowed := map[string]bool{}
		for _, v := range versions {
			allowed[v] = true
		}
		for _, v := range []struct{ version, option string }{
			{"SSLv3", "no-sslv3"}, {"TLSv1", "no-tlsv10"}, {"TLSv1.1", "no-tlsv11"},
			{"TLSv1.2", "no-tlsv12"}, {"TLSv1.3", "no-tlsv13"},
		} {
			if !allowed[v.version] {
				opts = append(opts, v.option)
			}
		}
	}
	if len(alpn) > 0 {
		s := strings.Join(alpn, ",")
		if err := checkText(what+" alpn_protocols", s); err != nil {
			return nil, err
		}
		opts = append(opts, "alpn", quoteWord(s))
	}
	return opts, nil
}

func (r *renderer) backend(lp *listenerPlan, pool *lb.Pool) error {
	li := lp.l
	if err := checkName("pool id", pool.ID); err != nil {
		return err
	}
	mode := backendMode(pool, lp)
	r.section("backend", BackendName(pool.ID, li.ID))
	r.line("mode", mode)
	if mode == "http" {
		r.line("http-reuse safe")
	}
	balance, ok := map[string]string{
		lb.AlgorithmRoundRobin:       "roundrobin",
		lb.AlgorithmLeastConnections: "leastconn",
		lb.AlgorithmSourceIP:         "source",
	}[pool.LBAlgorithm]
	if !ok {
		return fmt.Errorf("haproxy: pool %s: lb_algorithm %q has no HAProxy equivalent", pool.ID, pool.LBAlgorithm)
	}
	r.line("balance", balance)
	if err := r.persistence(pool, mode); err != nil {
		return err
	}
	hm := monitor(pool)
	if hm != nil {
		if err := r.checks(pool, hm); err != nil {
			return err
		}
	}
	if mode == "http" {
		r.insertHeaders(li)
	}
	r.line("fullconn", strconv.Itoa(lp.maxconn))
	r.line("option allbackups")
	clientData := orDefault(li.TimeoutClientData, lb.DefaultTimeoutClientData)
	memberData := orDefault(li.TimeoutMemberData, lb.DefaultTimeoutMemberData)
	r.line("timeout connect", strconv.Itoa(orDefault(li.TimeoutMemberConnect, lb.DefaultTimeoutMemberConnect)))
	r.line("timeout server", strconv.Itoa(memberData))
	r.line("timeout tunnel", strconv.Itoa(max(memberData, clientData)))
	for _, m := range pool.Members {
		if m == nil {
			continue
		}
		words, err := r.server(lp, pool, mode, hm, m)
		if err != nil {
			return err
		}
		r.line(words...)
	}
	return nil
}

func (r *renderer) persistence(pool *lb.Pool, mode string) error {
	sp := pool.SessionPersistence
	if sp == nil || sp.Type == "" {
		return nil
	}
	peers := ""
	if len(r.p.peers) > 0 {
		peers = " peers " + PeersSectionName(r.p.lb.ID)
	}
	size := quoteWord(r.p.opts.StickTableSize)
	switch sp.Type {
	case lb.PersistenceSourceIP:
		keyType := "ip"
		if r.p.ipv6 {
			keyType = "ipv6"
		}
		r.line("stick-table type " + keyType + " size " + size + peers)
		r.line("stick on src")
	case lb.PersistenceAppCookie, lb.PersistenceHTTPCookie:
		if mode != "http" {
			r.line("# session_persistence", sp.Type, "needs HTTP mode: not applied to this TCP-mode backend")
			return nil
		}
		if sp.Type == lb.PersistenceHTTPCookie {
			r.line("cookie SRV insert indirect nocache")
			return nil
		}
		if err := checkText("cookie_name", sp.CookieName); err != nil {
			return err
		}
		if sp.CookieName == "" {
			return fmt.Errorf("haproxy: pool %s: APP_COOKIE persistence needs a cookie_name", pool.ID)
		}
		r.line("stick-table type string len 64 size " + size + peers)
		r.line("stick store-response", fetch("res.cook", sp.CookieName))
		r.line("stick match", fetch("req.cook", sp.CookieName))
	default:
		return fmt.Errorf("haproxy: pool %s: unknown session_persistence type %q", pool.ID, sp.Type)
	}
	return nil
}

func (r *renderer) checks(pool *lb.Pool, hm *lb.HealthMonitor) error {
	r.line("load-server-state-from-file global")
	r.line("timeout check", strconv.Itoa(hm.Timeout)+"s")
	switch hm.Type {
	case lb.MonitorHTTP, lb.MonitorHTTPS:
		if err := checkTexts("health monitor http_method", hm.HTTPMethod, "health monitor url_path", hm.URLPath,
			"health monitor domain_name", hm.DomainName); err != nil {
			return err
		}
		send := []string{"http-check send meth", quoteWord(hm.HTTPMethod), "uri", quoteWord(hm.URLPath)}
		if hm.HTTPVersion != nil {
			send = append(send, "ver", "HTTP/"+strconv.FormatFloat(*hm.HTTPVersion, 'f', 1, 64))
			if hm.DomainName != "" {
				// hdr takes a log-format string: a literal "%" is "%%".
				send = append(send, "hdr Host", quoteWord(strings.ReplaceAll(hm.DomainName, "%", "%%")))
			}
		}
		expect, err := httpCheckExpect(hm.ExpectedCodes)
		if err != nil {
			return fmt.Errorf("haproxy: health monitor %s: %w", hm.ID, err)
		}
		r.line("option httpchk")
		r.line(send...)
		r.line(expect)
	case lb.MonitorTLSHello:
		r.line("option ssl-hello-chk")
	case lb.MonitorPing:
		r.line("option external-check")
		r.line("external-check command", quoteWord(r.p.opts.PingScript))
	case lb.MonitorTCP:
		// A plain connect check.
	default:
		return fmt.Errorf("haproxy: pool %s: health monitor type %q is not an HAProxy check", pool.ID, hm.Type)
	}
	return nil
}

// insertHeaders renders the listener's insert_headers (values "true", any
// case) into an HTTP-mode backend.
func (r *renderer) insertHeaders(li *lb.Listener) {
	on := func(h string) bool { return strings.EqualFold(li.InsertHeaders[h], "true") }
	if on("X-Forwarded-For") {
		r.line("option forwardfor")
	}
	if on("X-Forwarded-Port") {
		r.line("http-request set-header X-Forwarded-Port %[dst_port]")
	}
	if on("X-Forwarded-Proto") {
		switch li.Protocol {
		case lb.ProtocolHTTP:
			r.line("http-request set-header X-Forwarded-Proto http")
		case lb.ProtocolTerminatedHTTPS:
			r.line("http-request set-header X-Forwarded-Proto https")
		}
	}
	if li.Protocol != lb.ProtocolTerminatedHTTPS {
		return
	}
	for _, h := range []struct{ name, value string }{
		{"X-SSL-Client-Verify", "%[ssl_c_verify]"},
		{"X-SSL-Client-Has-Cert", "%[ssl_c_used]"},
		{"X-SSL-Client-DN", "%{+Q}[ssl_c_s_dn]"},
		{"X-SSL-Client-CN", "%{+Q}[ssl_c_s_dn(cn)]"},
		{"X-SSL-Issuer", "%{+Q}[ssl_c_i_dn]"},
		{"X-SSL-Client-SHA1", "%{+Q}[ssl_c_sha1,hex]"},
		{"X-SSL-Client-Not-Before", "%{+Q}[ssl_c_notbefore]"},
		{"X-SSL-Client-Not-After", "%{+Q}[ssl_c_notafter]"},
	} {
		if on(h.name) {
			r.line("http-request set-header", h.name, h.value)
		}
	}
}

func (r *renderer) server(lp *listenerPlan, pool *lb.Pool, mode string, hm *lb.HealthMonitor, m *lb.Member) ([]string, error) {
	if err := checkName("member id", m.ID); err != nil {
		return nil, err
	}
	if err := checkName("member address", m.Address); err != nil {
		return nil, err
	}
	w := []string{"server", m.ID, hostPort(m.Address, m.ProtocolPort), "weight", strconv.Itoa(m.Weight)}
	if hm != nil {
		if hm.Delay <= 0 {
			// Octavia's API accepts delay 0; HAProxy refuses "inter 0".
			return nil, fmt.Errorf("haproxy: health monitor %s: delay %d: HAProxy needs a check interval of at least 1s", hm.ID, hm.Delay)
		}
		w = append(w, "check")
		if hm.Type == lb.MonitorHTTPS {
			// A TLS pool's own ssl options (below) also apply to its checks;
			// writing "verify none" here as well would contradict them.
			w = append(w, "check-ssl")
			if !pool.TLSEnabled {
				w = append(w, "verify", "none")
			}
		}
		w = append(w, "inter", strconv.Itoa(hm.Delay)+"s", "fall", strconv.Itoa(hm.MaxRetriesDown), "rise", strconv.Itoa(hm.MaxRetries))
		if m.MonitorAddress != "" {
			if err := checkName("member monitor_address", m.MonitorAddress); err != nil {
				return nil, err
			}
			w = append(w, "addr", m.MonitorAddress)
		}
		if m.MonitorPort != nil && *m.MonitorPort > 0 {
			w = append(w, "port", strconv.Itoa(*m.MonitorPort))
		}
	}
	if sp := pool.SessionPersistence; sp != nil && sp.Type == lb.PersistenceHTTPCookie && mode == "http" {
		w = append(w, "cookie", m.ID)
	}
	switch pool.Protocol {
	case lb.ProtocolProxy:
		w = append(w, "send-proxy")
	case lb.ProtocolProxyV2:
		if lp.tls {
			w = append(w, "send-proxy-v2-ssl-cn")
		} else {
			w = append(w, "send-proxy-v2")
		}
	}
	if m.Backup {
		w = append(w, "backup")
	}
	if !m.AdminStateUp {
		w = append(w, "disabled")
	}
	if pool.TLSEnabled {
		o := r.p.opts
		w = append(w, "ssl")
		if pool.TLSContainerRef != "" {
			w = append(w, "crt", quoteWord(CertPath(o, pool.TLSContainerRef)))
		}
		if pool.CATLSContainerRef != "" {
			w = append(w, "ca-file", quoteWord(CertPath(o, pool.CATLSContainerRef)), "verify", "required")
			if pool.CRLContainerRef != "" {
				w = append(w, "crl-file", quoteWord(CertPath(o, pool.CRLContainerRef)))
			}
		} else {
			w = append(w, "verify", "none")
		}
		w = append(w, "sni", "ssl_fc_sni")
		tlsOpts, err := tlsOptions("pool "+pool.ID, pool.TLSCiphers, pool.TLSVersions, pool.ALPNProtocols)
		if err != nil {
			return nil, err
		}
		w = append(w, tlsOpts...)
	}
	return w, nil
}

// policyClass orders policies the way HAProxy evaluates their rules.
func policyClass(action string) int {
	switch action {
	case lb.L7ActionReject:
		return 0
	case lb.L7ActionRedirectToURL, lb.L7ActionRedirectPrefix:
		return 1
	}
	return 2
}

func (r *renderer) policies(lp *listenerPlan) error {
	pols := append([]*lb.L7Policy(nil), lp.policies...)
	sort.SliceStable(pols, func(i, j int) bool { return policyClass(pols[i].Action) < policyClass(pols[j].Action) })
	httpsRedirect := lp.l.Protocol == lb.ProtocolTerminatedHTTPS
	for _, pol := range pols {
		if httpsRedirect && policyClass(pol.Action) > 0 {
			r.line("redirect scheme https if !{ ssl_fc }")
			httpsRedirect = false
		}
		if err := r.policy(lp, pol); err != nil {
			return err
		}
	}
	if httpsRedirect {
		r.line("redirect scheme https if !{ ssl_fc }")
	}
	return nil
}

func (r *renderer) policy(lp *listenerPlan, pol *lb.L7Policy) error {
	if err := checkName("l7policy id", pol.ID); err != nil {
		return err
	}
	rules := enabledRules(pol)
	cond := []string{"if"}
	for _, rule := range rules {
		acl, err := aclLine(rule)
		if err != nil {
			return fmt.Errorf("haproxy: l7policy %s: %w", pol.ID, err)
		}
		r.line(acl)
		if rule.Invert {
			cond = append(cond, "!"+rule.ID)
		} else {
			cond = append(cond, rule.ID)
		}
	}
	code := lb.DefaultRedirectHTTPCode
	if pol.RedirectHTTPCode != nil {
		code = *pol.RedirectHTTPCode
	}
	switch pol.Action {
	case lb.L7ActionReject:
		r.line(append([]string{"http-request deny"}, cond...)...)
	case lb.L7ActionRedirectToURL:
		if err := checkText("redirect_url", pol.RedirectURL); err != nil {
			return err
		}
		r.line(append([]string{"redirect code", strconv.Itoa(code), "location", quoteWord(pol.RedirectURL)}, cond...)...)
	case lb.L7ActionRedirectPrefix:
		if err := checkText("redirect_prefix", pol.RedirectPrefix); err != nil {
			return err
		}
		r.line(append([]string{"redirect code", strconv.Itoa(code), "prefix", quoteWord(pol.RedirectPrefix)}, cond...)...)
	case lb.L7ActionRedirectToPool:
		r.line(append([]string{"use_backend", BackendName(pol.RedirectPoolID, lp.l.ID)}, cond...)...)
	default:
		return fmt.Errorf("haproxy: l7policy %s: unknown action %q", pol.ID, pol.Action)
	}
	return nil
}
