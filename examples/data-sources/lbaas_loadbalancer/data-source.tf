# A load balancer looked up by name (it must match exactly one).
data "lbaas_loadbalancer" "web" {
  name = "web"
}

# Or read by ID.
data "lbaas_loadbalancer" "by_id" {
  id = "5d1e1a4c-0a8b-4c39-9d61-6c9a3e0c2b11"
}

output "web_vip" {
  value = data.lbaas_loadbalancer.web.vip_address
}
