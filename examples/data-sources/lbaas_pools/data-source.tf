# Every pool of a load balancer.
data "lbaas_pools" "web" {
  loadbalancer_id = data.lbaas_loadbalancer.web.id
}

data "lbaas_loadbalancer" "web" {
  name = "web"
}

output "pools" {
  value = { for p in data.lbaas_pools.web.pools : p.name => p.protocol }
}
