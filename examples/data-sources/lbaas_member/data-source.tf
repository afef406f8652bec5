# The member of a pool on 192.0.2.10:8080.
data "lbaas_member" "web1" {
  pool_id       = data.lbaas_pool.web.id
  address       = "192.0.2.10"
  protocol_port = 8080
}

data "lbaas_pool" "web" {
  name = "web"
}

output "web1_health" {
  value = data.lbaas_member.web1.operating_status
}
