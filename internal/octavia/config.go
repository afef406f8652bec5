package octavia

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/utils/v2/openstack/clientconfig"
	yaml "gopkg.in/yaml.v3"
)

// Config is how the provider reaches Octavia, with the OpenStack provider's
// names. Explicit fields win over the OS_* variables that Getenv returns,
// which win over the clouds.yaml entry named by Cloud (or OS_CLOUD).
type Config struct {
	// AuthType is "password" (the default), "token",
	// "v3applicationcredential" (or any other Keystone v3 method chosen by
	// the credentials given), or "none" ("noauth") to talk to Endpoint
	// without Keystone (lbaasd).
	AuthType string
	// Cloud names an entry of clouds.yaml.
	Cloud string

	AuthURL                     string
	UserName                    string
	UserID                      string
	Password                    string
	Token                       string
	ProjectName                 string
	ProjectID                   string
	UserDomainName              string
	UserDomainID                string
	ProjectDomainName           string
	ProjectDomainID             string
	DomainName                  string
	DomainID                    string
	DefaultDomain               string
	ApplicationCredentialID     string
	ApplicationCredentialName   string
	ApplicationCredentialSecret string
	Region                      string

	// CACertFile is a PEM bundle of the CAs that sign the API's
	// certificates; ClientCertFile and ClientKeyFile a client certificate.
	CACertFile     string
	ClientCertFile string
	ClientKeyFile  string
	// Endpoint overrides the load-balancer endpoint of the catalog (and is
	// the only address used with AuthType "none"). A trailing /v2.0 or /v2
	// is dropped: requests go to <Endpoint>/v2.0/lbaas/….
	Endpoint string
	// Interface is the catalog interface: public (default), internal or
	// admin.
	Interface string
	// Insecure skips the verification of the API's certificates.
	Insecure bool
	// MaxRetries bounds the transport's retries of a GET, HEAD, PUT or
	// DELETE after a connection error, 429 or 5xx: 0 means 5, a negative
	// value none.
	MaxRetries int
	// MaxCreateAttempts bounds the POSTs of one create whose outcome stayed
	// unknown (connection lost, 5xx): 0 means 3.
	MaxCreateAttempts int
	// UserAgent is prepended to gophercloud's User-Agent.
	UserAgent string

	// Getenv looks up OS_* variables; the library never reads the
	// environment itself. Nil means no environment.
	Getenv func(string) string
	// Logf receives the client's debug messages (retries, waits, adopted
	// objects); the provider routes it to tflog. Nil discards them.
	Logf func(ctx context.Context, msg string, kv ...any)
	// Poll shapes waits and retries; zero fields take the defaults.
	Poll PollConfig
}

// PollConfig shapes the waits on provisioning_status, the retries of 409s
// met because a load balancer is busy, and the transport's retries: the
// first interval is Initial, each next one Multiplier times longer up to
// Max, each one moved by up to ±Jitter of itself (never above Max).
type PollConfig struct {
	Initial    time.Duration // default 200ms
	Max        time.Duration // default 2s
	Multiplier float64       // default 1.5
	Jitter     float64       // default 0.2; negative means none
	// Grace bounds the lookup that a create still makes when its context
	// ended while its POST was in flight, so that an object the API did
	// create is returned rather than orphaned. Default 20s.
	Grace time.Duration
}

// Defaults of PollConfig and Config.
const (
	DefaultPollInitial       = 200 * time.Millisecond
	DefaultPollMax           = 2 * time.Second
	DefaultPollMultiplier    = 1.5
	DefaultPollJitter        = 0.2
	DefaultGrace             = 20 * time.Second
	DefaultMaxRetries        = 5
	DefaultMaxCreateAttempts = 3
)

func (p PollConfig) withDefaults() PollConfig {
	if p.Initial <= 0 {
		p.Initial = DefaultPollInitial
	}
	if p.Max <= 0 {
		p.Max = DefaultPollMax
	}
	if p.Max < p.Initial {
		p.Max = p.Initial
	}
	if p.Multiplier < 1 {
		p.Multiplier = DefaultPollMultiplier
	}
	switch {
	case p.Jitter == 0:
		p.Jitter = DefaultPollJitter
	case p.Jitter < 0:
		p.Jitter = 0
	case p.Jitter > 1:
		p.Jitter = 1
	}
	if p.Grace <= 0 {
		p.Grace = DefaultGrace
	}
	return p
}

// isNoAuth tells the auth types that skip Keystone.
func isNoAuth(t string) bool {
	switch strings.ToLower(t) {
	case "none", "noauth":
		return true
	}
	return false
}

// settings is a Config after the explicit fields, OS_* and clouds.yaml
// have been merged.
type settings struct {
	Config
}

// resolve merges cfg, the OS_* variables and the clouds.yaml entry.
func resolve(cfg Config) (*settings, error) {
	getenv := cfg.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	env := func(names ...string) string {
		for _, n := range names {
			if v := getenv(n); v != "" {
				return v
			}
		}
		return ""
	}
	s := &settings{Config: cfg}
	c := &s.Config
	pick := func(dst *string, names ...string) {
		if *dst == "" {
			*dst = env(names...)
		}
	}
	pick(&c.Cloud, "OS_CLOUD")
	pick(&c.AuthType, "OS_AUTH_TYPE")
	pick(&c.AuthURL, "OS_AUTH_URL")
	pick(&c.UserName, "OS_USERNAME")
	pick(&c.UserID, "OS_USER_ID")
	pick(&c.Password, "OS_PASSWORD")
	pick(&c.Token, "OS_TOKEN", "OS_AUTH_TOKEN")
	pick(&c.ProjectName, "OS_PROJECT_NAME", "OS_TENANT_NAME")
	pick(&c.ProjectID, "OS_PROJECT_ID", "OS_TENANT_ID")
	pick(&c.UserDomainName, "OS_USER_DOMAIN_NAME")
	pick(&c.UserDomainID, "OS_USER_DOMAIN_ID")
	pick(&c.ProjectDomainName, "OS_PROJECT_DOMAIN_NAME")
	pick(&c.ProjectDomainID, "OS_PROJECT_DOMAIN_ID")
	pick(&c.DomainName, "OS_DOMAIN_NAME")
	pick(&c.DomainID, "OS_DOMAIN_ID")
	pick(&c.DefaultDomain, "OS_DEFAULT_DOMAIN")
	pick(&c.ApplicationCredentialID, "OS_APPLICATION_CREDENTIAL_ID")
	pick(&c.ApplicationCredentialName, "OS_APPLICATION_CREDENTIAL_NAME")
	pick(&c.ApplicationCredentialSecret, "OS_APPLICATION_CREDENTIAL_SECRET")
	pick(&c.Region, "OS_REGION_NAME")
	pick(&c.CACertFile, "OS_CACERT")
	pick(&c.ClientCertFile, "OS_CERT")
	pick(&c.ClientKeyFile, "OS_KEY")
	pick(&c.Endpoint, "OS_ENDPOINT")
	pick(&c.Interface, "OS_INTERFACE")
	if !c.Insecure {
		if v := env("OS_INSECURE"); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return nil, fmt.Errorf("OS_INSECURE: %q is not a boolean", v)
			}
			c.Insecure = b
		}
	}

	if c.Cloud != "" {
		cloud, endpoint, err := loadCloud(c.Cloud, c.Region, getenv)
		if err != nil {
			return nil, err
		}
		fill := func(dst *string, v string) {
			if *dst == "" {
				*dst = v
			}
		}
		fill(&c.Endpoint, endpoint)
		fill(&c.AuthType, string(cloud.AuthType))
		fill(&c.Region, cloud.RegionName)
		fill(&c.Interface, cloud.EndpointType)
		fill(&c.CACertFile, cloud.CACertFile)
		fill(&c.ClientCertFile, cloud.ClientCertFile)
		fill(&c.ClientKeyFile, cloud.ClientKeyFile)
		if !c.Insecure && cloud.Verify != nil && !*cloud.Verify {
			c.Insecure = true
		}
		if a := cloud.AuthInfo; a != nil {
			fill(&c.AuthURL, a.AuthURL)
			fill(&c.Token, a.Token)
			fill(&c.UserName, a.Username)
			fill(&c.UserID, a.UserID)
			fill(&c.Password, a.Password)
			fill(&c.ApplicationCredentialID, a.ApplicationCredentialID)
			fill(&c.ApplicationCredentialName, a.ApplicationCredentialName)
			fill(&c.ApplicationCredentialSecret, a.ApplicationCredentialSecret)
			fill(&c.ProjectName, a.ProjectName)
			fill(&c.ProjectID, a.ProjectID)
			fill(&c.UserDomainName, a.UserDomainName)
			fill(&c.UserDomainID, a.UserDomainID)
			fill(&c.ProjectDomainName, a.ProjectDomainName)
			fill(&c.ProjectDomainID, a.ProjectDomainID)
			fill(&c.DomainName, a.DomainName)
			fill(&c.DomainID, a.DomainID)
			fill(&c.DefaultDomain, a.DefaultDomain)
		}
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = DefaultMaxRetries
	} else if c.MaxRetries < 0 {
		c.MaxRetries = 0
	}
	if c.MaxCreateAttempts <= 0 {
		c.MaxCreateAttempts = DefaultMaxCreateAttempts
	}
	c.Poll = c.Poll.withDefaults()
	return s, s.check()
}

// check reports what is missing or contradictory, by its configuration
// name.
func (s *settings) check() error {
	c := &s.Config
	if isNoAuth(c.AuthType) {
		if c.Endpoint == "" {
			return errors.New(`endpoint is required when auth_type = "none"`)
		}
		return nil
	}
	switch strings.ToLower(c.AuthType) {
	case "", "password", "v3password", "token", "v3token", "v3applicationcredential", "applicationcredential":
	default:
		return fmt.Errorf(`auth_type %q is not supported: use "password", "token", "v3applicationcredential" or "none"`, c.AuthType)
	}
	if c.AuthURL == "" {
		if c.Cloud != "" {
			return fmt.Errorf("auth_url is required: cloud %q of clouds.yaml has no auth.auth_url", c.Cloud)
		}
		return errors.New(`auth_url is required unless cloud or auth_type = "none" is set`)
	}
	switch {
	case c.Token != "":
	case c.ApplicationCredentialID != "" || c.ApplicationCredentialName != "":
		if c.ApplicationCredentialSecret == "" {
			return errors.New("application_credential_secret is required with application_credential_id or application_credential_name")
		}
		if c.ApplicationCredentialID == "" && c.UserName == "" && c.UserID == "" {
			return errors.New("user_name or user_id is required with application_credential_name")
		}
	case c.UserName != "" || c.UserID != "":
		if c.Password == "" {
			return errors.New("password is required with user_name or user_id")
		}
	default:
		return errors.New("credentials are required: user_name (or user_id) and password, token, or application_credential_id and application_credential_secret")
	}
	if c.ClientCertFile != "" && c.ClientKeyFile == "" || c.ClientCertFile == "" && c.ClientKeyFile != "" {
		return errors.New("cert and key must be set together")
	}
	return nil
}

// authOptions builds Keystone v3 options the way the OpenStack provider
// (gophercloud/utils clientconfig) does, without reading the environment.
func (s *settings) authOptions() gophercloud.AuthOptions {
	c := s.Config
	appCred := c.ApplicationCredentialID != "" || c.ApplicationCredentialName != ""
	// Domain* is the default of UserDomain* and ProjectDomain*, then
	// DefaultDomain.
	userDomainID, userDomainName := c.UserDomainID, c.UserDomainName
	projectDomainID, projectDomainName := c.ProjectDomainID, c.ProjectDomainName
	projectScoped := c.ProjectID != "" || c.ProjectName != ""
	if appCred || projectScoped {
		if userDomainID == "" && userDomainName == "" {
			userDomainID, userDomainName = c.DomainID, c.DomainName
		}
		if projectDomainID == "" && projectDomainName == "" {
			projectDomainID, projectDomainName = c.DomainID, c.DomainName
		}
	}
	if c.DefaultDomain != "" {
		if userDomainID == "" && userDomainName == "" {
			userDomainID = c.DefaultDomain
		}
		if projectDomainID == "" && projectDomainName == "" {
			projectDomainID = c.DefaultDomain
		}
	}
	scope := &gophercloud.AuthScope{}
	switch {
	case appCred:
		scope = nil // application credentials carry their own scope
	case projectScoped:
		if c.ProjectID != "" {
			scope.ProjectID = c.ProjectID
		} else {
			scope.ProjectName = c.ProjectName
			scope.DomainID = projectDomainID
			scope.DomainName = projectDomainName
		}
	default:
		scope.DomainID = c.DomainID
		if scope.DomainID == "" {
			scope.DomainName = c.DomainName
		}
	}
	if scope != nil && *scope == (gophercloud.AuthScope{}) {
		scope = nil
	}
	ao := gophercloud.AuthOptions{
		IdentityEndpoint:            c.AuthURL,
		TokenID:                     c.Token,
		Username:                    c.UserName,
		UserID:                      c.UserID,
		Password:                    c.Password,
		DomainID:                    userDomainID,
		DomainName:                  userDomainName,
		ApplicationCredentialID:     c.ApplicationCredentialID,
		ApplicationCredentialName:   c.ApplicationCredentialName,
		ApplicationCredentialSecret: c.ApplicationCredentialSecret,
		Scope:                       scope,
		AllowReauth:                 true,
	}
	if c.Token != "" || strings.Contains(strings.ToLower(c.AuthType), "token") {
		// Token authentication: the token alone (gophercloud would
		// otherwise mix methods).
		ao.Username, ao.UserID, ao.Password = "", "", ""
		ao.DomainID, ao.DomainName = "", ""
		ao.AllowReauth = false
	}
	return ao
}

// tlsConfig builds the transport's TLS settings.
func (s *settings) tlsConfig() (*tls.Config, error) {
	c := s.Config
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.CACertFile != "" {
		pem, err := os.ReadFile(c.CACertFile)
		if err != nil {
			return nil, fmt.Errorf("cacert_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("cacert_file %s: no PEM certificate found", c.CACertFile)
		}
		cfg.RootCAs = pool
	}
	if c.ClientCertFile != "" {
		cert, err := tls.LoadX509KeyPair(c.ClientCertFile, c.ClientKeyFile)
		if err != nil {
			return nil, fmt.Errorf("cert/key: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	if c.Insecure {
		cfg.InsecureSkipVerify = true // #nosec G402 -- the user asked for insecure = true
	}
	return cfg, nil
}

// serviceEndpoint normalizes an endpoint override the way
// openstack.NewLoadBalancerV2 expects a catalog URL: no version suffix,
// with a trailing slash.
func serviceEndpoint(endpoint string) string {
	e := strings.TrimRight(endpoint, "/")
	for _, suffix := range []string{"/v2.0", "/v2"} {
		if strings.HasSuffix(e, suffix) {
			e = strings.TrimSuffix(e, suffix)
			break
		}
	}
	return e + "/"
}

// New builds a Client: it resolves cfg (explicit > OS_* > clouds.yaml),
// authenticates against Keystone unless AuthType is "none", and finds the
// load-balancer endpoint in the catalog unless Endpoint overrides it.
func New(ctx context.Context, cfg Config) (*Client, error) {
	s, err := resolve(cfg)
	if err != nil {
		return nil, err
	}
	tlsCfg, err := s.tlsConfig()
	if err != nil {
		return nil, err
	}
	c := newClient(s)
	httpClient := c.httpClient(tlsCfg)

	var pc *gophercloud.ProviderClient
	if isNoAuth(s.AuthType) {
		pc = &gophercloud.ProviderClient{}
		pc.UseTokenLock()
		if s.Token != "" {
			pc.SetToken(s.Token)
		}
	} else {
		ao := s.authOptions()
		pc, err = openstack.NewClient(ao.IdentityEndpoint)
		if err != nil {
			return nil, fmt.Errorf("auth_url %q: %w", ao.IdentityEndpoint, err)
		}
	}
	pc.HTTPClient = *httpClient
	if s.UserAgent != "" {
		pc.UserAgent.Prepend(s.UserAgent)
	}
	if isNoAuth(s.AuthType) {
		endpoint := serviceEndpoint(s.Endpoint)
		pc.EndpointLocator = func(gophercloud.EndpointOpts) (string, error) { return endpoint, nil }
	} else {
		if err := openstack.Authenticate(ctx, pc, s.authOptions()); err != nil {
			return nil, fmt.Errorf("authenticating with %s: %w", s.AuthURL, err)
		}
		if s.Endpoint != "" {
			endpoint := serviceEndpoint(s.Endpoint)
			catalog := pc.EndpointLocator
			pc.EndpointLocator = func(eo gophercloud.EndpointOpts) (string, error) {
				if eo.Type == "load-balancer" {
					return endpoint, nil
				}
				return catalog(eo)
			}
		}
	}
	sc, err := openstack.NewLoadBalancerV2(pc, gophercloud.EndpointOpts{
		Region:       s.Region,
		Availability: clientconfig.GetEndpointType(s.Interface),
	})
	if err != nil {
		return nil, fmt.Errorf("finding the load-balancer endpoint (region %q, interface %q): %w", s.Region, s.Interface, err)
	}
	c.sc = sc
	return c, nil
}

// cloudsFile reads clouds.yaml and its secure.yaml and clouds-public.yaml
// neighbours from one directory, for clientconfig.GetCloudFromYAML (which
// would otherwise read the environment).
type cloudsFile struct{ path string }

func (f cloudsFile) load(path string, public bool) (map[string]clientconfig.Cloud, error) {
	content, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if public {
		var pc clientconfig.PublicClouds
		if err := yaml.Unmarshal(content, &pc); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return pc.Clouds, nil
	}
	var cs clientconfig.Clouds
	if err := yaml.Unmarshal(content, &cs); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cs.Clouds, nil
}

func (f cloudsFile) optional(name string, public bool) (map[string]clientconfig.Cloud, error) {
	for _, ext := range []string{".yaml", ".yml"} {
		p := filepath.Join(filepath.Dir(f.path), name+ext)
		if _, err := os.Stat(p); err == nil {
			return f.load(p, public)
		}
	}
	return nil, nil
}

// LoadCloudsYAML implements clientconfig.YAMLOptsBuilder.
func (f cloudsFile) LoadCloudsYAML() (map[string]clientconfig.Cloud, error) {
	return f.load(f.path, false)
}

// LoadSecureCloudsYAML implements clientconfig.YAMLOptsBuilder.
func (f cloudsFile) LoadSecureCloudsYAML() (map[string]clientconfig.Cloud, error) {
	return f.optional("secure", false)
}

// LoadPublicCloudsYAML implements clientconfig.YAMLOptsBuilder.
func (f cloudsFile) LoadPublicCloudsYAML() (map[string]clientconfig.Cloud, error) {
	m, err := f.optional("clouds-public", true)
	if m == nil && err == nil {
		m = map[string]clientconfig.Cloud{}
	}
	return m, err
}

// findCloudsYAML returns OS_CLIENT_CONFIG_FILE, else the first clouds.yaml
// of the current directory, $HOME/.config/openstack and /etc/openstack
// (HOME, like OS_*, comes from Getenv).
func findCloudsYAML(getenv func(string) string) (string, error) {
	if p := getenv("OS_CLIENT_CONFIG_FILE"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("OS_CLIENT_CONFIG_FILE: %w", err)
		}
		return p, nil
	}
	var dirs []string
	if wd, err := os.Getwd(); err == nil {
		dirs = append(dirs, wd)
	}
	if home := getenv("HOME"); home != "" {
		dirs = append(dirs, filepath.Join(home, ".config", "openstack"))
	}
	dirs = append(dirs, "/etc/openstack")
	for _, d := range dirs {
		for _, name := range []string{"clouds.yaml", "clouds.yml"} {
			p := filepath.Join(d, name)
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("no clouds.yaml found in %s (set OS_CLIENT_CONFIG_FILE)", strings.Join(dirs, ", "))
}

// loadCloud returns the named entry of clouds.yaml, merged with secure.yaml
// and clouds-public.yaml and the overrides of region, and the entry's
// load-balancer endpoint (load_balancer_endpoint_override, else
// auth.endpoint as the "none" auth plugin reads it), which clientconfig
// does not parse.
func loadCloud(name, region string, getenv func(string) string) (*clientconfig.Cloud, string, error) {
	path, err := findCloudsYAML(getenv)
	if err != nil {
		return nil, "", fmt.Errorf("cloud %q: %w", name, err)
	}
	cloud, err := clientconfig.GetCloudFromYAML(&clientconfig.ClientOpts{
		Cloud:      name,
		RegionName: region,
		YAMLOpts:   cloudsFile{path: path},
	})
	if err != nil {
		return nil, "", fmt.Errorf("cloud %q (%s): %w", name, path, err)
	}
	content, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	var extra struct {
		Clouds map[string]struct {
			Override string `yaml:"load_balancer_endpoint_override"`
			Auth     struct {
				Endpoint string `yaml:"endpoint"`
			} `yaml:"auth"`
		} `yaml:"clouds"`
	}
	if err := yaml.Unmarshal(content, &extra); err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	e := extra.Clouds[name]
	endpoint := e.Override
	if endpoint == "" {
		endpoint = e.Auth.Endpoint
	}
	return cloud, endpoint, nil
}
