# The TCP pool of a load balancer.
data "lbaas_pool" "tcp" {
  loadbalancer_id = data.lbaas_loadbalancer.web.id
  protocol        = "TCP"
}

data "lbaas_loadbalancer" "web" {
  name = "web"
}

output "tcp_pool_members" {
  value = data.lbaas_pool.tcp.member_ids
}
