# An HTTP health check: GET /healthz every 5 seconds, healthy on 200–204,
# a member goes down after 3 failures and comes back after 2 successes.
resource "lbaas_monitor" "web" {
  name             = "web"
  pool_id          = lbaas_pool.web.id
  type             = "HTTP"
  delay            = 5
  timeout          = 3
  max_retries      = 2
  max_retries_down = 3
  url_path         = "/healthz"
  expected_codes   = "200-204"
  http_version     = 1.1
  domain_name      = "www.example.com"
}

# A UDP connect check of a UDP pool (no HTTP fields).
resource "lbaas_monitor" "dns" {
  pool_id     = lbaas_pool.dns.id
  type        = "UDP-CONNECT"
  delay       = 10
  timeout     = 5
  max_retries = 3
}
