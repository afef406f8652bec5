# The members of a pool that are not ONLINE.
data "lbaas_members" "web" {
  pool_id = data.lbaas_pool.web.id
}

data "lbaas_pool" "web" {
  name = "web"
}

output "unhealthy_members" {
  value = [for m in data.lbaas_members.web.members : "${m.address}:${m.protocol_port}" if m.operating_status != "ONLINE"]
}
