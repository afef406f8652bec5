# The quickstart: one load balancer, an HTTP listener, a ROUND_ROBIN pool over
# two backends with an HTTP health monitor. `make quickstart` applies it
# against an lbaasd it starts (auth_type = "none": no Keystone) and fills the
# variables; against a real cloud set `cloud` (clouds.yaml) instead of
# auth_type/endpoint and use one of its subnets.

terraform {
  required_providers {
    lbaas = {
      source = "lbaas/lbaas"
    }
  }
}

provider "lbaas" {
  auth_type = "none"
  endpoint  = var.endpoint
}

variable "endpoint" {
  description = "The Octavia v2 API of lbaasd, e.g. http://127.0.0.1:9876."
  type        = string
}

variable "vip_subnet_id" {
  description = "The subnet the VIP comes from (`lbaasd subnets` prints lbaasd's local subnets, the default first)."
  type        = string
}

variable "backends" {
  description = "The backends as \"address:port\", e.g. [\"127.0.0.1:18081\", \"127.0.0.1:18082\"]."
  type        = list(string)
}

variable "listener_port" {
  description = "The port the VIP listens on (below 1024 needs root on lbaasd)."
  type        = number
  default     = 8080
}

resource "lbaas_loadbalancer" "web" {
  name          = "quickstart"
  vip_subnet_id = var.vip_subnet_id
}

resource "lbaas_listener" "http" {
  name            = "quickstart-http"
  loadbalancer_id = lbaas_loadbalancer.web.id
  protocol        = "HTTP"
  protocol_port   = var.listener_port
}

resource "lbaas_pool" "web" {
  name         = "quickstart-web"
  listener_id  = lbaas_listener.http.id
  protocol     = "HTTP"
  lb_algorithm = "ROUND_ROBIN"
}

# The pool's members as one set, keyed by "address:port" (the key is the
# member's address and protocol_port; the value holds the other fields).
resource "lbaas_members" "web" {
  pool_id = lbaas_pool.web.id
  members = { for b in var.backends : b => { weight = 1 } }
}

resource "lbaas_monitor" "http" {
  pool_id        = lbaas_pool.web.id
  type           = "HTTP"
  delay          = 5
  timeout        = 3
  max_retries    = 3
  url_path       = "/"
  expected_codes = "200"
}

output "vip_address" {
  description = "The load balancer's VIP."
  value       = lbaas_loadbalancer.web.vip_address
}

output "url" {
  description = "The listener's URL."
  value       = "http://${lbaas_loadbalancer.web.vip_address}:${lbaas_listener.http.protocol_port}/"
}
