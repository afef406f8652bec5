# A listener's L7 policies, in evaluation order.
data "lbaas_l7policies" "web" {
  listener_id = var.listener_id
}

output "policy_order" {
  value = [for p in data.lbaas_l7policies.web.l7policies : "${p.position}: ${p.name} (${p.action})"]
}

# The policies that send traffic to a pool.
data "lbaas_l7policies" "to_api_pool" {
  redirect_pool_id = var.api_pool_id
}
