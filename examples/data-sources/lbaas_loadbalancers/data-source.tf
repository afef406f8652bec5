# Every ACTIVE load balancer tagged "production".
data "lbaas_loadbalancers" "production" {
  provisioning_status = "ACTIVE"
  tags                = ["production"]
}

output "production_vips" {
  value = { for l in data.lbaas_loadbalancers.production.loadbalancers : l.name => l.vip_address }
}
