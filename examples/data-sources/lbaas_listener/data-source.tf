# The listener of a load balancer on port 443.
data "lbaas_listener" "https" {
  loadbalancer_id = data.lbaas_loadbalancer.web.id
  protocol_port   = 443
}

data "lbaas_loadbalancer" "web" {
  name = "web"
}

output "https_default_pool" {
  value = data.lbaas_listener.https.default_pool_id
}
