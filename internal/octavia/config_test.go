package octavia

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const cloudsYAML = `clouds:
  mycloud:
    auth:
      auth_url: https://keystone.yaml.example:5000/v3
      username: yaml-user
      password: yaml-password
      project_name: yaml-project
      user_domain_name: YamlDomain
      project_domain_name: YamlDomain
    region_name: YamlRegion
    interface: internal
    verify: false
  other:
    auth:
      auth_url: https://other.example/v3
      application_credential_id: app-id
      application_credential_secret: app-secret
    region_name: OtherRegion
`

// writeClouds writes clouds.yaml (and secure.yaml, when given) to a new
// directory and returns the clouds.yaml path.
func writeClouds(t *testing.T, clouds, secure string) string {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "clouds.yaml")
	if err := os.WriteFile(p, []byte(clouds), 0o600); err != nil {
		t.Fatal(err)
	}
	if secure != "" {
		if err := os.WriteFile(filepath.Join(dir, "secure.yaml"), []byte(secure), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestConfigPrecedence(t *testing.T) {
	t.Parallel()
	path := writeClouds(t, cloudsYAML, "clouds:\n  mycloud:\n    auth:\n      password: secure-password\n")
	env := map[string]string{
		"OS_CLIENT_CONFIG_FILE": path,
		"OS_CLOUD":              "mycloud",
		"OS_USERNAME":           "env-user",
		"OS_REGION_NAME":        "EnvRegion",
		"OS_TENANT_ID":          "env-tenant-id",
		"OS_INSECURE":           "false",
	}
	s, err := resolve(Config{UserName: "explicit-user", Getenv: envOf(env)})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, got, want string }{
		{"user_name: explicit wins", s.UserName, "explicit-user"},
		{"region: env over clouds.yaml", s.Region, "EnvRegion"},
		{"project_id: OS_TENANT_ID", s.ProjectID, "env-tenant-id"},
		{"auth_url: clouds.yaml", s.AuthURL, "https://keystone.yaml.example:5000/v3"},
		{"project_name: clouds.yaml", s.ProjectName, "yaml-project"},
		{"password: secure.yaml", s.Password, "secure-password"},
		{"interface: clouds.yaml", s.Interface, "internal"},
		{"cloud: OS_CLOUD", s.Cloud, "mycloud"},
	} {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.name, c.got, c.want)
		}
	}
	if !s.Insecure {
		t.Error("verify: false in clouds.yaml should make the client insecure")
	}
	ao := s.authOptions()
	if ao.Username != "explicit-user" || ao.DomainName != "YamlDomain" || ao.Scope == nil || ao.Scope.ProjectID != "env-tenant-id" || !ao.AllowReauth {
		t.Errorf("auth options %+v scope %+v", ao, ao.Scope)
	}

	// The explicit cloud wins over OS_CLOUD; application credentials carry
	// no scope.
	s, err = resolve(Config{Cloud: "other", Getenv: envOf(map[string]string{"OS_CLIENT_CONFIG_FILE": path, "OS_CLOUD": "mycloud"})})
	if err != nil {
		t.Fatal(err)
	}
	if s.ApplicationCredentialID != "app-id" || s.Region != "OtherRegion" || s.authOptions().Scope != nil {
		t.Errorf("settings %+v", s.Config)
	}
}

func TestConfigNoEnvironmentWithoutGetenv(t *testing.T) {
	// Not parallel-safe only with respect to the process environment, which
	// this test sets to prove it is not read.
	t.Setenv("OS_AUTH_URL", "https://from-the-environment.example/v3")
	t.Setenv("OS_AUTH_TYPE", "none")
	_, err := resolve(Config{})
	if err == nil || !strings.Contains(err.Error(), "auth_url is required") {
		t.Fatalf("err = %v: the library read the environment", err)
	}
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	path := writeClouds(t, "clouds:\n  bare:\n    region_name: R\n", "")
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"nothing", Config{}, `auth_url is required unless cloud or auth_type = "none" is set`},
		{"none without endpoint", Config{AuthType: "none"}, `endpoint is required when auth_type = "none"`},
		{"no credentials", Config{AuthURL: "https://k/v3"}, "credentials are required"},
		{"user without password", Config{AuthURL: "https://k/v3", UserName: "u"}, "password is required"},
		{"app credential without secret", Config{AuthURL: "https://k/v3", ApplicationCredentialID: "a"}, "application_credential_secret is required"},
		{"unknown auth type", Config{AuthType: "kerberos", AuthURL: "https://k/v3"}, `auth_type "kerberos" is not supported`},
		{"cloud without auth_url", Config{Cloud: "bare", Getenv: envOf(map[string]string{"OS_CLIENT_CONFIG_FILE": path})}, `cloud "bare" of clouds.yaml has no auth.auth_url`},
		{"unknown cloud", Config{Cloud: "nope", Getenv: envOf(map[string]string{"OS_CLIENT_CONFIG_FILE": path})}, "cloud nope does not exist"},
		{"missing clouds.yaml", Config{Cloud: "x", Getenv: envOf(map[string]string{"OS_CLIENT_CONFIG_FILE": filepath.Join(t.TempDir(), "none.yaml")})}, "OS_CLIENT_CONFIG_FILE"},
		{"bad OS_INSECURE", Config{AuthType: "none", Endpoint: "http://x", Getenv: envOf(map[string]string{"OS_INSECURE": "maybe"})}, "OS_INSECURE"},
		{"missing cacert", Config{AuthType: "none", Endpoint: "http://x", CACertFile: "/nonexistent/ca.pem"}, "cacert_file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := New(t.Context(), tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestNoAuthEndpoint(t *testing.T) {
	t.Parallel()
	for _, endpoint := range []string{
		"http://127.0.0.1:9876",
		"http://127.0.0.1:9876/",
		"http://127.0.0.1:9876/v2.0",
		"http://127.0.0.1:9876/v2.0/",
		"http://127.0.0.1:9876/v2",
	} {
		for _, authType := range []string{"none", "noauth"} {
			c, err := New(t.Context(), Config{AuthType: authType, Endpoint: endpoint})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := c.Endpoint(), "http://127.0.0.1:9876/v2.0/"; got != want {
				t.Errorf("%s: ResourceBase %q, want %q", endpoint, got, want)
			}
			if got, want := c.url("loadbalancers", "x"), "http://127.0.0.1:9876/v2.0/lbaas/loadbalancers/x"; got != want {
				t.Errorf("%s: URL %q, want %q", endpoint, got, want)
			}
		}
	}
	// From clouds.yaml, as the openstack CLI reads it.
	clouds := writeClouds(t, "clouds:\n  local:\n    auth_type: none\n    auth:\n      endpoint: http://127.0.0.1:9876/v2.0/\n", "")
	c, err := New(t.Context(), Config{Cloud: "local", Getenv: envOf(map[string]string{"OS_CLIENT_CONFIG_FILE": clouds})})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Endpoint(); got != "http://127.0.0.1:9876/v2.0/" {
		t.Errorf("ResourceBase %q", got)
	}
	// From the environment.
	c, err = New(t.Context(), Config{Getenv: envOf(map[string]string{"OS_AUTH_TYPE": "none", "OS_ENDPOINT": "http://[::1]:9876/prefix/v2.0"})})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Endpoint(); got != "http://[::1]:9876/prefix/v2.0/" {
		t.Errorf("ResourceBase %q", got)
	}
}

// fakeKeystone answers POST /v3/auth/tokens with a catalog whose
// load-balancer endpoint is lbURL, and records the requests' bodies.
type fakeKeystone struct {
	srv    *httptest.Server
	mu     sync.Mutex
	bodies []map[string]any
}

func newFakeKeystone(t *testing.T, lbURL func() string) *fakeKeystone {
	k := &fakeKeystone{}
	k.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v3/auth/tokens" {
			http.NotFound(w, r)
			return
		}
		raw, _ := io.ReadAll(r.Body)
		var b map[string]any
		_ = json.Unmarshal(raw, &b)
		k.mu.Lock()
		k.bodies = append(k.bodies, b)
		k.mu.Unlock()
		w.Header().Set("X-Subject-Token", "keystone-token")
		writeJSON(w, http.StatusCreated, map[string]any{"token": map[string]any{
			"expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
			"catalog": []any{map[string]any{"type": "load-balancer", "name": "octavia", "endpoints": []any{
				map[string]any{"interface": "public", "region": "RegionOne", "region_id": "RegionOne", "url": lbURL() + "/public"},
				map[string]any{"interface": "internal", "region": "RegionOne", "region_id": "RegionOne", "url": lbURL() + "/internal/"},
				map[string]any{"interface": "public", "region": "RegionTwo", "region_id": "RegionTwo", "url": lbURL() + "/two"},
			}}},
		}})
	}))
	t.Cleanup(k.srv.Close)
	return k
}

func TestKeystoneAuthAndCatalog(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	lbID := f.addLB()
	var token string
	var path string
	f.hook = func(_ http.ResponseWriter, r *http.Request, _ []byte) bool {
		token, path = r.Header.Get("X-Auth-Token"), r.URL.Path
		return false
	}
	k := newFakeKeystone(t, func() string { return f.srv.URL })
	clouds := writeClouds(t, "clouds:\n  k:\n    auth:\n      auth_url: "+k.srv.URL+"/v3\n      username: yaml-user\n      password: pw\n      project_name: demo\n      domain_name: Default\n    region_name: RegionOne\n", "")

	c, err := New(t.Context(), Config{
		Getenv: envOf(map[string]string{"OS_CLIENT_CONFIG_FILE": clouds, "OS_CLOUD": "k", "OS_USERNAME": "env-user", "OS_INTERFACE": "internal"}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Endpoint(), f.srv.URL+"/internal/v2.0/"; got != want {
		t.Errorf("ResourceBase %q, want %q", got, want)
	}
	k.mu.Lock()
	auth, _ := json.Marshal(k.bodies[0])
	k.mu.Unlock()
	for _, want := range []string{`"name":"env-user"`, `"password":"pw"`, `"project":{"domain":{"name":"Default"},"name":"demo"}`} {
		if !strings.Contains(string(auth), want) {
			t.Errorf("token request %s lacks %s", auth, want)
		}
	}

	// The endpoint override replaces the catalog URL; the token still
	// travels.
	c, err = New(t.Context(), Config{
		AuthURL: k.srv.URL + "/v3", UserName: "u", Password: "p", ProjectID: "pid", UserDomainID: "default",
		Region: "RegionTwo", Endpoint: f.srv.URL + "/v2.0",
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetLoadBalancer(t.Context(), lbID); err != nil {
		t.Fatal(err)
	}
	if token != "keystone-token" || path != "/v2.0/lbaas/loadbalancers/"+lbID {
		t.Errorf("token %q path %q", token, path)
	}

	// Region picks the catalog entry.
	c, err = New(t.Context(), Config{AuthURL: k.srv.URL + "/v3", Token: "tok", ProjectID: "pid", Region: "RegionTwo"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Endpoint(), f.srv.URL+"/two/v2.0/"; got != want {
		t.Errorf("ResourceBase %q, want %q", got, want)
	}
}
