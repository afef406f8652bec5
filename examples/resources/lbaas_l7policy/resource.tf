# Send /api/* requests to their own pool, redirect a retired host, and refuse
# requests without a session cookie on /admin. Policies run in position order.
resource "lbaas_l7policy" "api" {
  name             = "api"
  listener_id      = lbaas_listener.http.id
  action           = "REDIRECT_TO_POOL"
  redirect_pool_id = lbaas_pool.api.id
  position         = 1
}

resource "lbaas_l7policy" "old_host" {
  name               = "old-host"
  listener_id        = lbaas_listener.http.id
  action             = "REDIRECT_PREFIX"
  redirect_prefix    = "https://www.example.com"
  redirect_http_code = 301
  position           = 2
}

resource "lbaas_l7policy" "admin" {
  name        = "admin-needs-session"
  listener_id = lbaas_listener.http.id
  action      = "REJECT"
  position    = 3
}

resource "lbaas_l7policy" "maintenance" {
  name           = "maintenance"
  listener_id    = lbaas_listener.http.id
  action         = "REDIRECT_TO_URL"
  redirect_url   = "https://status.example.com/maintenance"
  admin_state_up = false # redirect_http_code defaults to 302
}
