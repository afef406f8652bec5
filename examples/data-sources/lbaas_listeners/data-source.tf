# The HTTP listeners of a load balancer.
data "lbaas_listeners" "http" {
  loadbalancer_id = "5d1e1a4c-0a8b-4c39-9d61-6c9a3e0c2b11"
  protocol        = "HTTP"
}

output "http_ports" {
  value = [for l in data.lbaas_listeners.http.listeners : l.protocol_port]
}
