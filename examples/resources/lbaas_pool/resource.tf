# The default pool of an HTTP listener, keeping each client on the member
# that set its application's session cookie.
resource "lbaas_pool" "web" {
  name         = "web"
  listener_id  = lbaas_listener.http.id
  protocol     = "HTTP"
  lb_algorithm = "LEAST_CONNECTIONS"

  session_persistence = {
    type        = "APP_COOKIE"
    cookie_name = "JSESSIONID"
  }
}

# A pool reached only through L7 policies: it belongs to the load balancer.
resource "lbaas_pool" "static" {
  name            = "static"
  loadbalancer_id = lbaas_loadbalancer.web.id
  protocol        = "HTTP"
  lb_algorithm    = "ROUND_ROBIN"
  tags            = ["static"]
}

# Re-encrypted traffic to the members, verified against a CA from Barbican.
resource "lbaas_pool" "secure" {
  name                 = "secure"
  loadbalancer_id      = lbaas_loadbalancer.web.id
  protocol             = "HTTP"
  lb_algorithm         = "ROUND_ROBIN"
  tls_enabled          = true
  ca_tls_container_ref = "https://barbican.example.com:9311/v1/secrets/5d1c0a8e-2b3f-4c6d-9e7f-0a1b2c3d4e5f"
  tls_versions         = ["TLSv1.2", "TLSv1.3"]
}

# A UDP pool keeps a source on its member for 10 minutes.
resource "lbaas_pool" "dns" {
  name            = "dns"
  loadbalancer_id = lbaas_loadbalancer.web.id
  protocol        = "UDP"
  lb_algorithm    = "SOURCE_IP"

  session_persistence = {
    type                = "SOURCE_IP"
    persistence_timeout = 600
  }
}
