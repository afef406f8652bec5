# By ID.
data "lbaas_l7policy" "api" {
  id = "9d3a0d1e-6b4f-4e8a-a1c5-2f7b8e9c0d12"
}

# Or looked up by listener and name (exactly one policy must match).
data "lbaas_l7policy" "maintenance" {
  listener_id = var.listener_id
  name        = "maintenance"
}

output "maintenance_redirect" {
  value = data.lbaas_l7policy.maintenance.redirect_url
}
